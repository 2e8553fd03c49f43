"""Layout: takes a repaired document; gives its administrative structure after Decree 30/2020/NĐ-CP
(`structure.structure_document`): header (`header`), body as a section tree (`body`), signature and recipients
(`footer`), read from the page's rows (`rows`) with the patterns of the decree (`patterns`), into the typed
fields of `fields`.
"""
