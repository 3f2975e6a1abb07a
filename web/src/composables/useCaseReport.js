// Sending a new case (POST /cases) and its photos: shared by the staff's
// 上报问题 page and the resident's three-tap report.
import { ref } from 'vue'
import * as api from '../api.js'

/** An empty place for LocationPicker, found by the device's position (`gps`) or picked on the map (`map`). */
export function emptyPlace(mode = 'gps') {
  return { mode, lng: null, lat: null, area_code: '', address: '' }
}

/** The place as POST /cases wants it: a point, or an area code; '' when none is given yet. */
export function placeBody(place) {
  const out = {}
  if (place.mode === 'gps') {
    if (place.lng === null || place.lng === undefined) return null
    Object.assign(out, { lng: place.lng, lat: place.lat })
  } else {
    if (!place.area_code) return null
    out.area_code = place.area_code
  }
  if (place.address?.trim()) out.address = place.address.trim()
  return out
}

/**
 * Uploads photos one by one. Answers {uploaded, failed, unsupported}: a 404
 * means the server has no photo route (yet), and the rest are not tried.
 */
export async function uploadPhotos(caseId, stage, photos) {
  const result = { uploaded: 0, failed: 0, unsupported: false }
  for (const p of photos) {
    try {
      await api.uploadCasePhoto(caseId, stage, p.blob)
      result.uploaded += 1
    } catch (err) {
      if (err.status === 404 || err.status === 405) {
        result.unsupported = true
        result.failed += photos.length - result.uploaded
        break
      }
      result.failed += 1
    }
  }
  return result
}

/**
 * `submit(body, photos)` creates the case, then uploads `photos`
 * ({before: [...], after: [...]}); answers {created, photos: {uploaded, failed, unsupported}}.
 * `error` holds the server's refusal of the case itself.
 */
export function useCaseReport() {
  const busy = ref(false)
  const error = ref(null)

  async function submit(body, photos = {}) {
    busy.value = true
    error.value = null
    try {
      const created = await api.createCase(body)
      const total = { uploaded: 0, failed: 0, unsupported: false }
      for (const [stage, list] of Object.entries(photos)) {
        if (!list?.length || total.unsupported) continue
        const r = await uploadPhotos(created.id, stage, list)
        total.uploaded += r.uploaded
        total.failed += r.failed
        total.unsupported ||= r.unsupported
      }
      return { created, photos: total }
    } catch (err) {
      if (err.status !== 401) error.value = err
      return null
    } finally {
      busy.value = false
    }
  }
  return { busy, error, submit }
}
