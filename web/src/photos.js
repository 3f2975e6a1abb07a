// Photos taken in the browser, made ready for POST /cases/{id}/photos: JPEG,
// PNG or WebP under 10 MB. Large camera pictures are scaled down to 2560 px
// on the long side (as JPEG), which also keeps uploads quick on mobile data.
// Previews are data: URLs (the CSP allows data: images, not blob:).

export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp']
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024
const SHRINK_ABOVE_BYTES = 3 * 1024 * 1024
const MAX_SIDE = 2560

/** The file as a data: URL. */
export function dataUrlOf(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(String(reader.result))
    reader.onerror = () => reject(reader.error)
    reader.readAsDataURL(blob)
  })
}

function imageOf(url) {
  return new Promise((resolve, reject) => {
    const img = new Image()
    img.onload = () => resolve(img)
    img.onerror = () => reject(new Error('not an image the browser can read'))
    img.src = url
  })
}

/**
 * `file` → {blob, preview}: as it is when small enough and of an accepted
 * type, otherwise redrawn as a JPEG. Throws when the browser cannot read it.
 */
export async function preparePhoto(file) {
  const preview = await dataUrlOf(file)
  if (PHOTO_TYPES.includes(file.type) && file.size <= SHRINK_ABOVE_BYTES) return { blob: file, preview }
  const img = await imageOf(preview)
  const scale = Math.min(1, MAX_SIDE / Math.max(img.naturalWidth, img.naturalHeight))
  const canvas = document.createElement('canvas')
  canvas.width = Math.max(1, Math.round(img.naturalWidth * scale))
  canvas.height = Math.max(1, Math.round(img.naturalHeight * scale))
  canvas.getContext('2d').drawImage(img, 0, 0, canvas.width, canvas.height)
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85))
  if (!blob || blob.size > MAX_PHOTO_BYTES) throw new Error('photo too large')
  return { blob, preview: await dataUrlOf(blob) }
}
