import { defineStore } from 'pinia'
import * as api from '../api.js'
import { setLanguage, LANGUAGES } from '../i18n/index.js'
import { applyCareMode, careChoices, rememberCareChoice } from '../prefs.js'

/** The signed-in user (GET /api/v1/me) and their preferences. */
export const useSessionStore = defineStore('session', {
  state: () => ({
    user: null,
    // true once we asked the server whether a session exists
    checked: false,
    // the page asks for care mode by default (the services portal and guides)
    pageCareDefault: false,
    // care mode choices made on this device: {username: true|false}, '' for a visitor
    careChoices: careChoices(),
  }),
  getters: {
    signedIn: (state) => state.user !== null,
    permissions: (state) => state.user?.permissions || [],
    /**
     * Care mode as shown: the account's preference; on pages that default to
     * it, also on for residents and visitors who have not chosen otherwise
     * (the API has no birth date, so age cannot decide).
     */
    careMode: (state) => {
      const user = state.user
      if (!user) return state.pageCareDefault && state.careChoices[''] !== false
      if (user.preferences?.care_mode) return true
      return state.pageCareDefault && user.role === 'resident' && !(user.username in state.careChoices)
    },
    language: (state) => state.user?.preferences?.language,
  },
  actions: {
    can(permission) {
      return this.permissions.includes(permission)
    },

    /** Takes a User from the server and applies its preferences to the page. */
    setUser(user) {
      this.user = user
      this.checked = true
      if (user) {
        const lang = user.preferences?.language
        if (LANGUAGES.includes(lang)) setLanguage(lang)
      }
      this.applyCare()
    },

    /** Puts the care mode shown (getter careMode) on the page. */
    applyCare() {
      applyCareMode(this.careMode)
    },

    /** Set on each navigation: whether the page defaults to care mode. */
    setPageCareDefault(on) {
      this.pageCareDefault = on
      this.applyCare()
    },

    /** A visitor's own care mode choice (kept on this device). */
    setVisitorCare(on) {
      this.careChoices = rememberCareChoice('', on)
      this.applyCare()
    },

    /** Asks the server once whether this browser has a session. */
    async ensureChecked() {
      if (this.checked) return
      try {
        this.setUser(await api.getMe({ probe: true }))
      } catch (err) {
        if (err.status === 401) {
          this.setUser(null)
          return
        }
        throw err
      }
    },

    async login(username, password) {
      const data = await api.login(username, password)
      // The login answer carries the user; /me is the source of truth for preferences.
      let user = data?.user || null
      try {
        user = await api.getMe({ probe: true })
      } catch {
        // keep the user from the login answer
      }
      this.setUser(user)
      return user
    },

    async logout() {
      try {
        await api.logout()
      } finally {
        this.setUser(null)
      }
    },

    /** Forgets the session locally (the server said 401). */
    expire() {
      this.setUser(null)
    },

    /**
     * Saves one preference (PUT /me/preferences). The change is applied at once;
     * it is rolled back if the server refuses it.
     */
    async savePreference(field, value) {
      if (!this.user) return
      const previous = { ...(this.user.preferences || {}) }
      this.user.preferences = { ...previous, [field]: value }
      if (field === 'language') setLanguage(value)
      if (field === 'care_mode') {
        // the user's own choice: page defaults no longer apply to them
        this.careChoices = rememberCareChoice(this.user.username, Boolean(value))
        this.applyCare()
      }
      try {
        const user = await api.updatePreferences({ [field]: value })
        if (user && user.username) this.user = user
      } catch (err) {
        if (this.user) this.user.preferences = previous
        if (field === 'language' && previous.language) setLanguage(previous.language)
        if (field === 'care_mode') this.applyCare()
        throw err
      }
    },
  },
})
