// Applies the user's display preferences to the page.
const CARE_CLASS = 'care-mode'

/** Turns care mode (关怀模式: larger type, higher contrast, bigger targets) on or off. */
export function applyCareMode(on) {
  document.documentElement.classList.toggle(CARE_CLASS, Boolean(on))
}

export function careModeOn() {
  return document.documentElement.classList.contains(CARE_CLASS)
}

const CHOICES_KEY = 'shequ.careChoices'

/** The care mode choices made on this device: {username: boolean}; '' is a visitor (not signed in). */
export function careChoices() {
  try {
    const value = JSON.parse(localStorage.getItem(CHOICES_KEY) || '{}')
    return value && typeof value === 'object' && !Array.isArray(value) ? value : {}
  } catch {
    return {}
  }
}

/** Remembers one choice; returns all of them. */
export function rememberCareChoice(username, on) {
  const all = { ...careChoices(), [username]: Boolean(on) }
  try {
    localStorage.setItem(CHOICES_KEY, JSON.stringify(all))
  } catch {
    // storage may be disabled: the choice lasts for this page load
  }
  return all
}
