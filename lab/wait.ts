/** Polls `check` until it holds or `timeoutMs` passes; returns whether it held. */
export async function poll (
  check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 200
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      if (await check()) return true
    } catch {}
    if (Date.now() > deadline) return false
    await new Promise(resolve => setTimeout(resolve, everyMs))
  }
}

export const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
