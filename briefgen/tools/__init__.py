"""Side commands: what the CLI offers besides `check` and `build`.

`watch` rebuilds on change, `verify` checks quotes against archived texts,
`trace` lists what rests on a source, `schema` writes JSON Schema for editors,
`csl` imports CSL-JSON (a Zotero export) into sources.yaml, and `scaffold`
starts a new brief (`briefgen init`). None of the build's stages imports them.
"""
