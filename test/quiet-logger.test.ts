/**
 * libp2p's per-stream loggers: names DEBUG does not enable get a logger that does nothing (no weald
 * instances, no isatty), enabled names get @libp2p/logger's own, so DEBUG keeps working.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { disable, enable } from '@libp2p/logger'
import { quietLogger } from '../src/net/quiet-logger.js'

test('a name DEBUG leaves off logs nothing; an enabled one, or its scope, logs as before', () => {
  const previous = process.env.DEBUG
  try {
    disable()
    const loggers = quietLogger()
    const quiet = loggers.forComponent('weft-test:stream')
    assert.equal(quiet.enabled, false)
    quiet('nothing %s', 'happens')
    quiet.error('nor here')
    quiet.trace('nor here')

    enable('weft-test:stream:inbound,weft-test:conn:error')
    assert.equal(loggers.forComponent('weft-test:stream').enabled, false, 'a parent of an enabled name stays quiet')
    assert.equal(loggers.forComponent('weft-test:stream').newScope('inbound').enabled, true, 'the enabled scope logs')
    assert.equal(loggers.forComponent('weft-test:other').enabled, false)
    // Only errors enabled: @libp2p/logger's own logger, whose error side prints and main side does not.
    const errorsOnly = loggers.forComponent('weft-test:conn')
    assert.equal(errorsOnly.enabled, false)
    assert.equal((errorsOnly.error as unknown as { enabled: boolean }).enabled, true)
  } finally {
    disable()
    if (previous !== undefined) enable(previous)
  }
})
