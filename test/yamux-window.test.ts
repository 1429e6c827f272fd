import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { lpStream } from '@libp2p/utils'
import { windowUpdatesAtHalf } from '../src/net/yamux-window.js'

const PROTOCOL = '/weft-test/sink/1.0.0'
const WINDOW_UPDATE = 1 // yamux's FrameType.WindowUpdate

/** Counts the window-update frames each muxer made by `factory` sends. */
function counting (factory: any): { factory: any, windowUpdates: () => number } {
  let count = 0
  return {
    windowUpdates: () => count,
    factory: (components: any) => {
      const f = factory(components)
      const create = f.createStreamMuxer.bind(f)
      f.createStreamMuxer = (maConn: any) => {
        const muxer = create(maConn)
        const send = muxer.sendFrame.bind(muxer)
        // streams bind `sendFrame` when they are made, after this
        muxer.sendFrame = (header: { type: number }, data?: unknown) => {
          if (header.type === WINDOW_UPDATE) count++
          return send(header, data)
        }
        return muxer
      }
      return f
    }
  }
}

async function node (muxer: any): Promise<Libp2p> {
  return await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [muxer]
  })
}

/**
 * `small` messages of 200 bytes, then one of `bigBytes`, from a sender to a receiver whose muxer is
 * `receiverMuxer`; returns the receiver's window updates and what it got.
 */
async function transfer (receiverMuxer: (f: any) => any, small: number, bigBytes: number):
Promise<{ windowUpdates: number, received: number, bigIntact: boolean }> {
  const spy = counting(receiverMuxer(yamux()))
  const receiver = await node(spy.factory)
  const sender = await node(yamux())
  try {
    let received = 0
    let bigIntact = false
    let finish = (): void => {}
    const done = new Promise<void>(resolve => { finish = resolve })
    await receiver.handle(PROTOCOL, async (stream) => {
      const lp = lpStream(stream, { maxDataLength: bigBytes + 1024 })
      for (let i = 0; i < small; i++) {
        await lp.read()
        received++
      }
      const big = (await lp.read()).subarray()
      bigIntact = big.byteLength === bigBytes && big.every((b, i) => b === (i * 7) % 251)
      await stream.close()
      finish()
    })
    const stream = await sender.dialProtocol(receiver.getMultiaddrs()[0], PROTOCOL)
    const lp = lpStream(stream, { maxDataLength: bigBytes + 1024 })
    const message = new Uint8Array(200).fill(1)
    const before = spy.windowUpdates()
    for (let i = 0; i < small; i++) await lp.write(message)
    await lp.write(Uint8Array.from({ length: bigBytes }, (_, i) => (i * 7) % 251))
    await done
    await stream.close()
    return { windowUpdates: spy.windowUpdates() - before, received, bigIntact }
  } finally {
    await sender.stop()
    await receiver.stop()
  }
}

test('yamux grants receive window at half, not after every frame; flow control still carries 4 MiB',
  { timeout: 60_000 }, async () => {
    const stock = await transfer(f => f, 1000, 4 * 1024 * 1024)
    const half = await transfer(windowUpdatesAtHalf, 1000, 4 * 1024 * 1024)
    for (const r of [stock, half]) {
      assert.equal(r.received, 1000)
      assert.ok(r.bigIntact, 'the 4 MiB message arrived whole (beyond the 256 KiB window: updates came)')
    }
    // 1,000 small frames: stock yamux answers each; at half a 256 KiB window, ~200 KiB takes one or two.
    assert.ok(stock.windowUpdates >= 1000, `stock yamux: ${stock.windowUpdates} window updates`)
    assert.ok(half.windowUpdates < 100, `at half: ${half.windowUpdates} window updates`)
  })
