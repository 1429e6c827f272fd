/**
 * Just enough of Electron's IPC to run the shell's own code in Node:
 * ipcMain.handle / ipcRenderer.invoke, webContents.send / ipcRenderer.on, and
 * contextBridge.exposeInMainWorld. Values are passed through structuredClone,
 * as Electron's IPC does, so anything that would not survive IPC fails here too.
 */
type Handler = (event: { sender: unknown }, ...args: unknown[]) => unknown
type Listener = (event: unknown, ...args: unknown[]) => void

export function fakeElectron () {
  const handlers = new Map<string, Handler>()
  const listeners = new Map<string, Set<Listener>>()
  const exposed: Record<string, unknown> = {}
  let destroyed = false

  const webContents = {
    isDestroyed: () => destroyed,
    send (channel: string, ...args: unknown[]) {
      for (const listener of listeners.get(channel) ?? []) listener({}, ...structuredClone(args))
    }
  }
  const otherWebContents = { isDestroyed: () => false, send () {} }

  const invokeAs = (sender: unknown) => async (channel: string, ...args: unknown[]): Promise<unknown> => {
    const handler = handlers.get(channel)
    if (handler === undefined) throw new Error(`No handler registered for '${channel}'`)
    try {
      return structuredClone(await handler({ sender }, ...structuredClone(args)))
    } catch (err) {
      throw new Error(`Error invoking remote method '${channel}': ${String(err)}`)
    }
  }

  return {
    webContents,
    otherWebContents,
    exposed,
    destroy () { destroyed = true },
    /** Invokes as if from another window. */
    invokeFromOther: invokeAs(otherWebContents),
    ipcMain: {
      handle (channel: string, handler: Handler) {
        if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
        handlers.set(channel, handler)
      },
      removeHandler (channel: string) { handlers.delete(channel) }
    },
    /** The module the preload sees as 'electron'. */
    rendererModule: {
      ipcRenderer: {
        invoke: invokeAs(webContents),
        on (channel: string, listener: Listener) {
          if (!listeners.has(channel)) listeners.set(channel, new Set())
          listeners.get(channel)?.add(listener)
        },
        removeListener (channel: string, listener: Listener) { listeners.get(channel)?.delete(listener) }
      },
      contextBridge: {
        exposeInMainWorld (key: string, api: unknown) { exposed[key] = api }
      }
    }
  }
}
