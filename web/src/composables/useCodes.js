// The registry's code lists (docs/api-registry.md "Codes") and their
// translations (messages under `codes.<group>.<code>`).
import { useI18n } from 'vue-i18n'

export const CARE_TAGS = [
  'lives_alone', 'elderly_couple', 'no_children', 'disabled', 'dibao', 'tekun', 'entitled',
  'unemployed', 'key_youth', 'community_correction',
]
/** Shown and settable only with permission `person.sensitive`. */
export const SENSITIVE_CARE_TAGS = ['disabled', 'key_youth', 'community_correction']
export const HUKOU = ['registered', 'migrant', 'foreign']
export const SEXES = ['male', 'female']
export const DOCUMENT_TYPES = ['resident_id', 'hmt_residence_permit', 'foreign_permanent_residence', 'passport']
export const HOUSING_TYPES = ['sold_public', 'commodity', 'foreign_commodity', 'old_villa', 'relocation', 'managed_public']
export const OCCUPANCIES = ['owner_occupied', 'rented', 'vacant', 'group_rental_suspected']
export const USES = ['residential', 'commercial', 'mixed']
export const RELATIONS = ['owner', 'family', 'tenant', 'collective']
export const ORG_KINDS = [
  'residents_committee', 'owners_committee', 'property_company', 'social_org', 'resident_unit', 'merchant',
]
export const PERSON_SORTS = ['name', 'birth_date', '-birth_date']

/** Occupancy colours: cell fill, border/series colour (the building grid, its legend, the pie). */
export const OCCUPANCY_COLORS = {
  owner_occupied: { fill: '#e3f4e6', line: '#2e7d32' },
  rented: { fill: '#e1ecfb', line: '#1d5fbf' },
  vacant: { fill: '#f1f1f1', line: '#7a7a7a' },
  group_rental_suspected: { fill: '#fde6d9', line: '#c2410c' },
}

/** `code(group, value)`: the translated name of a code, or the code itself when unknown. */
export function useCodes() {
  const { t, te } = useI18n()
  function code(group, value) {
    if (value === null || value === undefined || value === '') return ''
    const key = `codes.${group}.${value}`
    return te(key) ? t(key) : String(value)
  }
  /** Short mark of a care tag (one character in Chinese) for the building grid. */
  function tagMark(tag) {
    const key = `codes.careTagMark.${tag}`
    return te(key) ? t(key) : String(tag).slice(0, 2)
  }
  return { code, tagMark }
}
