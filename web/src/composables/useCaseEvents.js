// Live case updates: the page's handler gets the `case` and `case_deadline`
// events (GET /api/v1/events) in small batches, so that a burst (the deadline
// sweep marks many cases at once) costs one reload, not one per event.
import { useLiveEvents } from './useLiveEvents.js'

/**
 * `handler(events)` receives [{type: 'case'|'case_deadline', id, action?, state, deadline?, …}].
 * Returns `live`: 'connecting' | 'open' | 'closed' (for a LiveBadge).
 */
export function useCaseEvents(handler, options) {
  return useLiveEvents(['case', 'case_deadline'], handler, options)
}
