"""Ingest: the first stage. Takes the paths a user gives; gives the input files found under them
(`InputFile`), each one's kind told from its bytes (`SourceInfo`), and the decoded text of text inputs.
"""
