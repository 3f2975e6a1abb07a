import { defineStore } from 'pinia'
import * as api from '../api.js'
import { setLanguage, LANGUAGES } from '../i18n/index.js'
import { applyCareMode } from '../prefs.js'

/** The signed-in user (GET /api/v1/me) and their preferences. */
export const useSessionStore = defineStore('session', {
  state: () => ({
    user: null,
    // true once we asked the server whether a session exists
    checked: false,
  }),
  getters: {
    signedIn: (state) => state.user !== null,
    permissions: (state) => state.user?.permissions || [],
    careMode: (state) => Boolean(state.user?.preferences?.care_mode),
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
        applyCareMode(Boolean(user.preferences?.care_mode))
      } else {
        applyCareMode(false)
      }
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
      if (field === 'care_mode') applyCareMode(value)
      try {
        const user = await api.updatePreferences({ [field]: value })
        if (user && user.username) this.user = user
      } catch (err) {
        if (this.user) this.user.preferences = previous
        if (field === 'language' && previous.language) setLanguage(previous.language)
        if (field === 'care_mode') applyCareMode(Boolean(previous.care_mode))
        throw err
      }
    },
  },
})
