// Saves a file fetched by api.js ({blob, filename}) through the browser's
// download (an object URL on a temporary link: nothing inline, CSP-safe).
export function saveFile({ blob, filename }) {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename || 'download'
  a.rel = 'noopener'
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
