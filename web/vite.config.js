import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The API server the dev server and `vite preview` forward /api to
// (for example the real `shequ serve`, or dev/mock-shequ.mjs).
const apiTarget = process.env.SHEQU_API || 'http://127.0.0.1:8080'

// Same policy as the C++ server sends, so that `vite preview` shows CSP
// violations before they reach production.
const csp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
].join('; ')

export default defineConfig({
  plugins: [vue()],
  define: {
    __VUE_OPTIONS_API__: 'true',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'true',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    // The polyfill is an inline <script>, which the server's CSP forbids.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: { '/api': { target: apiTarget, changeOrigin: false } },
  },
  preview: {
    headers: { 'Content-Security-Policy': csp },
    proxy: { '/api': { target: apiTarget, changeOrigin: false } },
  },
})
