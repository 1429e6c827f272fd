/**
 * A Y.Doc's content as plain JSON, for `GET /docs/<id>` and `weft cat`.
 *
 * A replica that only received updates does not know whether a root type is a
 * Y.Text, Y.Map, Y.Array or Y.XmlFragment (that is decided by whoever calls
 * `doc.getText(name)` etc.). We infer it from the stored items, on a copy of
 * the document, so the live replica's root types are never fixed by the daemon.
 */
import * as Y from 'yjs'

export type RootKind = 'text' | 'map' | 'array' | 'xml' | 'empty'

export interface DocContent {
  /** Root type name -> inferred kind. */
  types: Record<string, RootKind>
  /** Root type name -> JSON value (text and xml as strings). */
  content: Record<string, unknown>
}

export function docToJSON (doc: Y.Doc): DocContent {
  const copy = new Y.Doc({ gc: false })
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
  const types: Record<string, RootKind> = {}
  const content: Record<string, unknown> = {}
  for (const name of [...copy.share.keys()].sort()) {
    const kind = inferKind(copy.share.get(name)!)
    types[name] = kind
    switch (kind) {
      case 'text': content[name] = copy.get(name, Y.Text).toString(); break
      case 'map': content[name] = copy.get(name, Y.Map).toJSON(); break
      case 'array': content[name] = copy.get(name, Y.Array).toJSON(); break
      case 'xml': content[name] = copy.get(name, Y.XmlFragment).toString(); break
      case 'empty': content[name] = null; break
    }
  }
  copy.destroy()
  return { types, content }
}

function inferKind (type: Y.AbstractType<any>): RootKind {
  if (type instanceof Y.Text) return 'text'
  if (type instanceof Y.Map) return 'map'
  if (type instanceof Y.Array) return 'array'
  if (type instanceof Y.XmlFragment) return 'xml'
  let sawArrayContent = false
  for (let item = type._start; item != null; item = item.right) {
    const c = item.content
    if (c instanceof Y.ContentString || c instanceof Y.ContentFormat || c instanceof Y.ContentEmbed) return 'text'
    const xml = c instanceof Y.ContentType &&
      (c.type instanceof Y.XmlElement || c.type instanceof Y.XmlText || c.type instanceof Y.XmlHook)
    if (xml) return 'xml'
    if (!(c instanceof Y.ContentDeleted)) sawArrayContent = true
  }
  if (sawArrayContent) return 'array'
  if (type._map.size > 0) return 'map'
  // Only deleted items (or nothing at all): nothing to tell the kinds apart by.
  return type._start != null ? 'text' : 'empty'
}

/** Renders a document's content for a terminal: a lone text as itself, otherwise one section per root type. */
export function renderDocContent (c: DocContent): string {
  const names = Object.keys(c.types).filter(n => c.types[n] !== 'empty')
  if (names.length === 1 && (c.types[names[0]] === 'text' || c.types[names[0]] === 'xml')) {
    return String(c.content[names[0]])
  }
  const parts: string[] = []
  for (const name of names) {
    const v = c.content[name]
    parts.push(`== ${name} (${c.types[name]}) ==`)
    parts.push(typeof v === 'string' ? v : JSON.stringify(v, null, 2))
  }
  return parts.join('\n')
}
