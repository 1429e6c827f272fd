/**
 * A hostile peer in its own process, driven over IPC like bench/child/peer.ts (same protocol).
 * It speaks gossipsub's wire format by hand, so it can send what a well-behaved router never would:
 *
 * - `flood`: a meshsub stream to each target carrying frames on a document's topic at a set rate,
 *   a mix of garbage, truncated and bit-flipped copies of real frames (a valid shape with a bad
 *   signature: the costly case for a validator), replays of real frames, and now and then an RPC
 *   larger than a peer accepts;
 * - `sync-flood`: many concurrent `/weft/sync` streams carrying garbage, half of them left open;
 * - `slow`: subscribes and grafts on the topic, and asks for the document over `/weft/sync`, but
 *   never reads a byte of what it is sent.
 *
 * It records real frames from the topic (it reads inbound meshsub streams unless it is slow) to
 * mutate and replay them.
 */
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { lpStream } from '@libp2p/utils'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { RPC } from '@libp2p/gossipsub/message'
import type { Stream } from '@libp2p/interface'
import { SyncRequest, WIRE_VERSION } from '../../src/wire/codec.js'
import { PROTOCOL } from '../../src/defaults.js'
import { mulberry32 } from '../lib/random.js'
import { sleep } from '../lib/time.js'
import { serveCommands, type Commands } from './serve.js'

const MESHSUB = ['/meshsub/1.2.0', '/meshsub/1.1.0']

let node: Libp2p | undefined
let slow = false
const captured: Uint8Array[] = []
const held: Stream[] = []
const sent = { frames: 0, rpcs: 0, bytes: 0, writeErrors: 0, streamsOpened: 0, streamsRefused: 0 }

async function drain (stream: Stream): Promise<void> {
  if (slow) { held.push(stream); return }
  try {
    const lp = lpStream(stream, { maxDataLength: 4 * 1024 * 1024 })
    while (true) {
      const rpc = RPC.decode(await lp.read())
      for (const m of rpc.messages) if (m.data !== undefined && captured.length < 200) captured.push(m.data)
    }
  } catch { /* the stream ended or was reset */ }
}

function garbage (rnd: () => number, len: number): Uint8Array {
  const b = new Uint8Array(len)
  for (let i = 0; i < len; i++) b[i] = Math.floor(rnd() * 256)
  return b
}

/** Random bytes made once; each garbage frame is a slice with its own counter in it (unique, so not a duplicate). */
let noiseBytes: Uint8Array | undefined

/**
 * One frame of the flood mix. RPC.encode copies what it is given, so frames may share buffers.
 */
function floodFrame (rnd: () => number, k: number): Uint8Array {
  noiseBytes ??= garbage(rnd, 4096)
  const real = captured.length > 0 ? captured[k % captured.length] : undefined
  const kind = rnd()
  if (real === undefined || kind < 0.3) {
    const at = Math.floor(rnd() * 3600)
    const frame = noiseBytes.subarray(at, at + 8 + Math.floor(rnd() * 400))
    new DataView(frame.buffer, frame.byteOffset, 4).setUint32(0, k)
    return frame
  }
  if (kind < 0.55) return real.subarray(0, Math.floor(rnd() * real.byteLength))
  if (kind < 0.8) {
    // a bit flipped near the end, where the signature lives: well formed, forged
    const copy = real.slice()
    copy[copy.byteLength - 1 - Math.floor(rnd() * Math.min(64, copy.byteLength))] ^= 1 << Math.floor(rnd() * 8)
    return copy
  }
  return real // a replay: a duplicate of something already delivered
}

async function openMeshsub (peer: string): Promise<Stream> {
  const stream = await (node as Libp2p).dialProtocol(peerIdFromString(peer), MESHSUB, {
    signal: AbortSignal.timeout(10_000)
  })
  sent.streamsOpened++
  return stream
}

const commands: Commands = {
  async start (a: { slow?: boolean }) {
    slow = a.slow === true
    node = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify() }
    })
    for (const p of MESHSUB) {
      await node.handle(p, (stream: Stream) => { void drain(stream) }, { maxInboundStreams: 64 })
    }
    if (slow) {
      // answers nothing it is asked over weft's own protocols either
      for (const p of [PROTOCOL.sync, PROTOCOL.heads]) {
        await node.handle(p, (stream: Stream) => { held.push(stream) }, { maxInboundStreams: 1024 })
      }
    }
    return { peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map(m => m.toString()) }
  },
  async dial (a: { addrs: string[] }) {
    const signal = AbortSignal.timeout(10_000)
    await Promise.all(a.addrs.map(async x => await (node as Libp2p).dial(multiaddr(x), { signal })))
    return true
  },
  /** Subscribes and grafts on `topic` at each target, so that they push every message to us. */
  async join (a: { peers: string[], topic: string }) {
    for (const peer of a.peers) {
      const stream = await openMeshsub(peer)
      const lp = lpStream(stream)
      await lp.write(RPC.encode({
        subscriptions: [{ subscribe: true, topic: a.topic }],
        messages: [],
        control: { graft: [{ topicID: a.topic }], ihave: [], iwant: [], prune: [], idontwant: [] }
      }))
      held.push(stream)
    }
    return true
  },
  async captured () { return captured.length },
  /** `rate` frames per second on `topic` to every peer in `peers`, for `ms`. */
  async flood (a: { peers: string[], topic: string, rate: number, ms: number, seed: number }) {
    const rnd = mulberry32(a.seed)
    const perRpc = 10
    const tickMs = 10
    const framesPerTick = Math.max(1, Math.round(a.rate * tickMs / 1000))
    type Writer = { peer: string, lp?: ReturnType<typeof lpStream>, retryAt: number }
    const writers: Writer[] = a.peers.map(peer => ({ peer, retryAt: 0 }))
    const subscribe = RPC.encode({ subscriptions: [{ subscribe: true, topic: a.topic }], messages: [] })
    /** A fresh meshsub stream, if the peer still lets us in (a banned flooder is refused: counted, retried later). */
    const reopen = async (w: Writer): Promise<void> => {
      w.lp = undefined
      if (performance.now() < w.retryAt) return
      w.retryAt = performance.now() + 500
      try {
        const lp = lpStream(await openMeshsub(w.peer))
        await lp.write(subscribe, { signal: AbortSignal.timeout(1000) })
        w.lp = lp
      } catch { sent.streamsRefused++ }
    }
    await Promise.all(writers.map(reopen))
    const start = performance.now()
    let k = 0
    let due = 0
    while (performance.now() - start < a.ms) {
      due += framesPerTick
      while (due >= perRpc) {
        due -= perRpc
        const messages = Array.from({ length: perRpc }, () => ({ topic: a.topic, data: floodFrame(rnd, k++) }))
        // one in a thousand RPCs is larger than any peer accepts (its reader resets the stream)
        if (rnd() < 0.001) messages.push({ topic: a.topic, data: garbage(rnd, 2 * 1024 * 1024) })
        const rpc = RPC.encode({ subscriptions: [], messages })
        await Promise.all(writers.map(async w => {
          if (w.lp === undefined) { await reopen(w); return }
          try {
            await w.lp.write(rpc, { signal: AbortSignal.timeout(1000) })
            sent.rpcs++
            sent.frames += messages.length
            sent.bytes += rpc.byteLength
          } catch {
            sent.writeErrors++ // reset (too big) or cut off
            await reopen(w)
          }
        }))
      }
      const next = start + (performance.now() - start) - ((performance.now() - start) % tickMs) + tickMs
      await sleep(Math.max(0, next - performance.now()))
    }
    return { ...sent, seconds: (performance.now() - start) / 1000 }
  },
  /** `streams` concurrent sync streams to `peer`: garbage, a length prefix promising 1 GB, or half a request. */
  async 'sync-flood' (a: { peer: string, streams: number, seed: number }) {
    const rnd = mulberry32(a.seed)
    const peer = peerIdFromString(a.peer)
    const results = await Promise.allSettled(Array.from({ length: a.streams }, async (_, i) => {
      const stream = await (node as Libp2p).dialProtocol(peer, PROTOCOL.sync, { signal: AbortSignal.timeout(5000) })
      sent.streamsOpened++
      const kind = i % 3
      if (kind === 0) stream.send(garbage(rnd, 64 + Math.floor(rnd() * 2000)))
      else if (kind === 1) stream.send(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x03])) // varint ~1 GB, no body
      else stream.send(Uint8Array.from([200, 1, 8, 1])) // a 200-byte request of which 2 bytes come
      if (i % 2 === 0) await stream.close().catch(() => {})
      else held.push(stream)
    }))
    const refused = results.filter(r => r.status === 'rejected').length
    sent.streamsRefused += refused
    return { opened: a.streams - refused, refused }
  },
  /** Asks `peer` for the whole of `docId` over `count` streams and never reads the answers. */
  async 'ask-and-ignore' (a: { peer: string, docId: string, count: number }) {
    const peer = peerIdFromString(a.peer)
    let asked = 0
    for (let i = 0; i < a.count; i++) {
      try {
        const stream = await (node as Libp2p).dialProtocol(peer, PROTOCOL.sync, { signal: AbortSignal.timeout(5000) })
        await lpStream(stream).write(SyncRequest.encode({
          version: WIRE_VERSION, docId: a.docId, vv: [], stateVector: Uint8Array.from([0])
        }))
        held.push(stream)
        asked++
      } catch { sent.streamsRefused++ }
    }
    return asked
  },
  async connected (a: { peers: string[] }) {
    const open = new Set((node as Libp2p).getConnections().map(c => c.remotePeer.toString()))
    return a.peers.map(p => open.has(p))
  },
  async stats () { return { ...sent, held: held.length, captured: captured.length } },
  async cpu () { const u = process.cpuUsage(); return (u.user + u.system) / 1000 },
  async stop () {
    for (const s of held) s.abort(new Error('done'))
    await node?.stop()
    setTimeout(() => process.exit(0), 10)
    return true
  }
}

serveCommands(commands)
