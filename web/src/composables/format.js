// Small display helpers shared by the registry pages.

/** A date-time from the server in the browser's time zone, without seconds. */
export function formatDateTime(value) {
  if (!value) return ''
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return String(value)
  return new Intl.DateTimeFormat(undefined, {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  }).format(d)
}

/** Today as YYYY-MM-DD in the browser's time zone. */
export function today() {
  const d = new Date()
  const pad = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/** An address that may come as a string or as an Address object. */
export function addressText(address) {
  if (!address) return ''
  return typeof address === 'string' ? address : address.text || ''
}

/** The number of characters (code points) of a trimmed string. */
export function textLength(value) {
  return [...String(value ?? '').trim()].length
}
