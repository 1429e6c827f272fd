const MAX_TITLE = 80

/** A note's title is its first non-blank line, trimmed and capped: no separate field to keep in sync. */
export function noteTitle (body: string): string {
  const line = body.split('\n').find(l => l.trim() !== '') ?? ''
  const title = line.trim()
  return title.length > MAX_TITLE ? `${title.slice(0, MAX_TITLE - 1)}…` : title
}

const MAX_PREVIEW = 120

/** The line under the title in the list: the text after the title line, on one line, capped. */
export function notePreview (body: string): string {
  const lines = body.split('\n')
  const first = lines.findIndex(l => l.trim() !== '')
  const rest = first < 0 ? '' : lines.slice(first + 1).map(l => l.trim()).filter(l => l !== '').join(' ')
  return rest.length > MAX_PREVIEW ? `${rest.slice(0, MAX_PREVIEW - 1)}…` : rest
}
