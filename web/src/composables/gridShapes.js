// The grid polygons of the caller's territory (GET /grid-shapes), fetched once
// per session and registered with ECharts as the map GRID_MAP.
import { echarts } from '../charts.js'
import * as api from '../api.js'

export const GRID_MAP = 'shequ-grids'
let load = null
let loadedFor = null

/**
 * The GeoJSON FeatureCollection (registered as GRID_MAP before it resolves).
 * `account`: whose territory (the username); another account fetches anew.
 */
export function loadGridShapes(account = '') {
  if (!load || loadedFor !== account) {
    loadedFor = account
    load = api.gridShapes().then((geo) => {
      echarts.registerMap(GRID_MAP, geo)
      return geo
    }).catch((err) => { load = null; throw err })
  }
  return load
}

/** The centre of a polygon's outer ring (the mean of its corners), [lng, lat]. */
export function centreOf(feature) {
  const g = feature?.geometry
  const ring = g?.type === 'Polygon' ? g.coordinates[0] : g?.type === 'MultiPolygon' ? g.coordinates[0][0] : null
  if (!ring?.length) return null
  const pts = ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1]
    ? ring.slice(0, -1) : ring
  const sum = pts.reduce((s, p) => [s[0] + p[0], s[1] + p[1]], [0, 0])
  return [sum[0] / pts.length, sum[1] / pts.length]
}
