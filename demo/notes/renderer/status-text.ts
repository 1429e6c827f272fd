import type { JoiningNote, NoteSyncState, NotesStatus } from '../shared/bridge.js'

export type Tone = 'offline' | 'connecting' | 'syncing' | 'synced'

/**
 * What the badge of one note says, and the detail beside it. "Synced" only
 * when another device has confirmed every local change; otherwise the detail
 * says when that last happened ("Last synced 5 min ago", or "Not synced yet"
 * for a note no other device has ever confirmed). Unconfirmed changes are not
 * counted: the engine counts envelopes, which track typing bursts, not edits
 * a person would count.
 */
export function describeNote (
  state: NoteSyncState | undefined,
  workingOffline: boolean,
  now = Date.now()
): { label: string, tone: Tone, pending: string } {
  const unsent = (state?.unconfirmed ?? 0) > 0
  const confirmed = state?.confirmedAt
  const last = confirmed === undefined ? 'Not synced yet' : `Last synced ${relativeTime(confirmed, now)}`
  if (state?.status === 'synced' && !unsent) {
    return { label: 'Synced', tone: 'synced', pending: '' }
  }
  const pending = unsent ? `Unsent changes · ${last.toLowerCase()}` : last
  if (workingOffline) return { label: 'Working offline', tone: 'offline', pending }
  switch (state?.status) {
    case 'synced':
    case 'syncing': return { label: 'Syncing…', tone: 'syncing', pending }
    case 'connecting': return { label: 'Looking for devices', tone: 'connecting', pending }
    default: return { label: 'Offline', tone: 'offline', pending }
  }
}

/** What the network line in the sidebar says. */
export function describeNetwork (status: NotesStatus | undefined): { label: string, tone: Tone } {
  if (status === undefined) return { label: 'Starting…', tone: 'connecting' }
  if (status.offline) return { label: 'Working offline', tone: 'offline' }
  const n = status.connectedPeers.length
  if (n === 0) return { label: 'Offline · no peers', tone: 'offline' }
  return { label: `Online · ${n} ${n === 1 ? 'peer' : 'peers'}`, tone: 'synced' }
}

export function relativeTime (ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000))
  if (ms === 0) return ''
  if (s < 45) return 'just now'
  if (s < 90 * 60) return `${Math.max(1, Math.round(s / 60))} min ago`
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`
  return new Date(ms).toLocaleDateString()
}

/** "12D3KooW…x7Yz": enough of a peer id to recognise it. */
export function shortPeerId (id: string): string {
  return id.length > 14 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id
}

/** A peer as people know it: the name its device chose, else a short id. */
export function peerName (status: NotesStatus | undefined, peerId: string): string {
  return status?.deviceNames[peerId] ?? shortPeerId(peerId)
}

/** What a note joined by link, whose content has not arrived, says while it waits. */
export function describeJoining (joining: JoiningNote, status: NotesStatus | undefined): string {
  const holders = joining.holderName !== undefined
    ? [joining.holderName]
    : [...new Set(joining.holders.map(p => peerName(status, p)))]
  const who = holders.length === 0 ? 'the device that shared it' : holders.join(' or ')
  if (status?.offline === true) return `Waiting for ${who}: you are working offline`
  return joining.holderOnline ? `Fetching from ${who}…` : `Waiting for ${who} to come online`
}
