const MAX_TITLE = 80

/** A note's title is its first non-blank line, trimmed and capped: no separate field to keep in sync. */
export function noteTitle (body: string): string {
  const line = body.split('\n').find(l => l.trim() !== '') ?? ''
  const title = line.trim()
  return title.length > MAX_TITLE ? `${title.slice(0, MAX_TITLE - 1)}…` : title
}
