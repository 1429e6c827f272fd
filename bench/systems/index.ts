import type { SystemFactory, SystemName } from './types.js'
import { weftSystem } from './weft.js'
import { gossipMesh } from '../baselines/gossip-mesh.js'
import { ywebsocket } from '../baselines/ywebsocket.js'
import { floorMesh } from '../baselines/floor-mesh.js'

export const factories: Record<SystemName, SystemFactory> = {
  weft: weftSystem,
  mesh: gossipMesh,
  'y-websocket': ywebsocket,
  floor: floorMesh
}
