import { onBeforeUnmount, ref } from 'vue'

/** Phone layout below this width (px). */
export const PHONE_MAX_WIDTH = 767

/** A ref that is true while the viewport is phone-sized (< 768px). */
export function useIsPhone() {
  const query = window.matchMedia(`(max-width: ${PHONE_MAX_WIDTH}px)`)
  const isPhone = ref(query.matches)
  const update = (event) => { isPhone.value = event.matches }
  query.addEventListener('change', update)
  onBeforeUnmount(() => query.removeEventListener('change', update))
  return isPhone
}
