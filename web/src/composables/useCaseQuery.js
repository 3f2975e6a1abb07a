// A short list of cases for a fixed query (the phone task lists): the first
// `pageSize` cases, "more" to grow it, refresh() for live updates.
import * as api from '../api.js'
import { useListQuery } from './useListQuery.js'

export function useCaseQuery(query, options) {
  return useListQuery(api.listCases, query, options)
}
