"""Batch: takes many inputs and an output folder; runs the flow over them on a pool of workers (`runner`,
`tasks`, `pool`), resumable, reporting progress (`progress`), or as files arrive in a folder (`watch`); gives
the outputs, `OUT/manifest.jsonl` and `OUT/summary.json`.
"""
