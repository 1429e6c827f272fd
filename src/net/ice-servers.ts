/**
 * STUN and TURN servers for WebRTC, given as one string each (an option, a command-line flag):
 * `stun:host[:port]`, or `turn:user:password@host[:port]` (also `turns:`, and `?transport=tcp`).
 * A TURN server needs credentials, which RTCIceServer keeps apart from the URL: a TURN URL without
 * them made every WebRTC connection fail at once (node-datachannel and browsers refuse it), and
 * `stuns:` is not supported by node-datachannel. Both are refused when the options are checked.
 */

export interface IceServer { urls: string, username?: string, credential?: string }

const STUN = /^stun:[^\s@/]+$/
const TURN = /^(turns?):([^\s:@/]+):([^\s@/]+)@([^\s@/?]+)(\?transport=(?:udp|tcp))?$/

/** Why `url` is not a usable ICE server string; undefined when it is. */
export function iceServerProblem (url: unknown): string | undefined {
  if (typeof url !== 'string') return 'is not a string'
  if (STUN.test(url) || TURN.test(url)) return undefined
  if (/^turns?:[^@]+$/.test(url)) return 'is a TURN server without credentials (turn:user:password@host:port)'
  return 'is not stun:host:port or turn:user:password@host:port'
}

/** The RTCIceServer entries for checked ICE server strings. */
export function iceServers (urls: readonly string[]): IceServer[] {
  return urls.map(url => {
    const turn = TURN.exec(url)
    if (turn === null) return { urls: url }
    const [, scheme, username, credential, host, transport] = turn
    return {
      urls: `${scheme}:${host}${transport ?? ''}`,
      username: decodeURIComponent(username),
      credential: decodeURIComponent(credential)
    }
  })
}
