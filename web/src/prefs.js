// Applies the user's display preferences to the page.
const CARE_CLASS = 'care-mode'

/** Turns care mode (关怀模式: larger type, higher contrast, bigger targets) on or off. */
export function applyCareMode(on) {
  document.documentElement.classList.toggle(CARE_CLASS, Boolean(on))
}

export function careModeOn() {
  return document.documentElement.classList.contains(CARE_CLASS)
}
