// Kept so the forms that import it from here keep working: the store is `formErrors.svelte.ts`.
export { FieldErrors } from './formErrors.svelte';
