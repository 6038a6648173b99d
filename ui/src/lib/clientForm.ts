// The client record's layout (shared by the form and the client page) and the pure
// conversions between a `Client`, the form's state and the `ClientFields` payload.
// No rule lives here: the core validates and names the field that is wrong.

import type { Client } from './bindings/Client';
import type { ClientFields } from './bindings/ClientFields';
import type { Pressure } from './bindings/Pressure';

export type FieldName = keyof ClientFields;

/** What the form holds: lists as lists, every other field as the string its input shows. */
export type FormState = { [K in FieldName]: ClientFields[K] extends Array<infer U> ? U[] : string };

/** The fields whose input is a single string (everything but the tick-box lists). */
export type TextFieldName = { [K in FieldName]: FormState[K] extends string ? K : never }[FieldName];

export type FieldKind = 'text' | 'tel' | 'email' | 'date' | 'textarea' | 'pressure' | 'contraindications';

export interface FieldDef {
  name: FieldName;
  label: string;
  kind: FieldKind;
  /** Shows the "required" marker. The core decides what is actually required. */
  required?: boolean;
  help?: string;
  /** Spans both columns of the form grid. */
  wide?: boolean;
}

export interface SectionDef {
  id: string;
  title: string;
  fields: FieldDef[];
}

export const SECTIONS: SectionDef[] = [
  {
    id: 'identity',
    title: 'Identity',
    fields: [
      { name: 'first_name', label: 'First name', kind: 'text', required: true },
      { name: 'last_name', label: 'Last name', kind: 'text', required: true },
      {
        name: 'preferred_name',
        label: 'Preferred name',
        kind: 'text',
        help: 'What the client likes to be called, if different.',
      },
      { name: 'date_of_birth', label: 'Date of birth', kind: 'date' },
    ],
  },
  {
    id: 'contact',
    title: 'Contact',
    fields: [
      { name: 'phone', label: 'Phone', kind: 'tel' },
      { name: 'email', label: 'Email', kind: 'email' },
      { name: 'address', label: 'Address', kind: 'textarea', wide: true },
    ],
  },
  {
    id: 'emergency',
    title: 'Emergency contact',
    fields: [
      { name: 'emergency_contact_name', label: 'Name', kind: 'text', help: 'And how they relate to the client.' },
      { name: 'emergency_contact_phone', label: 'Phone', kind: 'tel' },
    ],
  },
  {
    id: 'physician',
    title: 'Physician',
    fields: [
      { name: 'physician_name', label: 'Physician name', kind: 'text' },
      {
        name: 'physician_contact',
        label: 'Physician contact',
        kind: 'textarea',
        help: 'For referral letters and the integrated care plan.',
      },
    ],
  },
  {
    id: 'work',
    title: 'Work & posture',
    fields: [
      { name: 'occupation', label: 'Occupation', kind: 'text' },
      {
        name: 'posture_notes',
        label: 'Posture notes',
        kind: 'textarea',
        help: 'Desk or screen hours, forward head, how they sleep…',
      },
    ],
  },
  {
    id: 'health',
    title: 'Health',
    fields: [
      { name: 'medical_history', label: 'Medical history', kind: 'textarea', wide: true },
      {
        name: 'medications_preventive',
        label: 'Preventive medications',
        kind: 'textarea',
        help: 'Taken daily (or on a schedule) to prevent attacks.',
      },
      {
        name: 'medications_acute',
        label: 'Acute medications',
        kind: 'textarea',
        help: 'Taken during an attack to relieve it.',
      },
      { name: 'allergies', label: 'Allergies', kind: 'textarea', help: 'Oils, lotions, latex…' },
      {
        name: 'contraindications',
        label: 'Contraindications',
        kind: 'textarea',
        help: 'Anything that rules out or limits a technique, in your own words.',
      },
      {
        name: 'contraindication_flags',
        label: 'Contraindications that warn against techniques',
        kind: 'contraindications',
        help:
          'Tick what applies. During sessions, each one warns against the specific techniques it rules out (the Techniques page lists which).',
        wide: true,
      },
    ],
  },
  {
    id: 'comfort',
    title: 'Comfort preferences',
    fields: [
      { name: 'preferred_pressure', label: 'Preferred pressure', kind: 'pressure' },
      { name: 'areas_to_avoid', label: 'Areas to avoid', kind: 'textarea' },
      {
        name: 'positioning',
        label: 'Positioning',
        kind: 'textarea',
        help: 'Side-lying, pillow under the knees, face cradle…',
      },
    ],
  },
  {
    id: 'consent',
    title: 'Consent',
    fields: [
      { name: 'consent_version', label: 'Consent form version', kind: 'text' },
      { name: 'consent_date', label: 'Consent date', kind: 'date', help: 'The day the form was signed.' },
    ],
  },
  {
    id: 'notes',
    title: 'Notes',
    fields: [{ name: 'notes', label: 'Notes', kind: 'textarea', wide: true }],
  },
];

// A `Record` over the keys makes the compiler fail when `ClientFields` gains or loses a field.
const FIELD_SET: Record<FieldName, true> = {
  first_name: true,
  last_name: true,
  preferred_name: true,
  date_of_birth: true,
  phone: true,
  email: true,
  address: true,
  emergency_contact_name: true,
  emergency_contact_phone: true,
  physician_name: true,
  physician_contact: true,
  occupation: true,
  posture_notes: true,
  medical_history: true,
  medications_preventive: true,
  medications_acute: true,
  allergies: true,
  contraindications: true,
  contraindication_flags: true,
  preferred_pressure: true,
  areas_to_avoid: true,
  positioning: true,
  consent_version: true,
  consent_date: true,
  notes: true,
};

export const FIELD_NAMES = Object.keys(FIELD_SET) as FieldName[];

const isTextField = (name: FieldName): name is TextFieldName => name !== 'contraindication_flags';

export function emptyForm(): FormState {
  const form = { contraindication_flags: [] } as unknown as FormState;
  for (const name of FIELD_NAMES) if (isTextField(name)) form[name] = '';
  return form;
}

/** The form's state for an existing record (nulls become empty inputs). */
export function formFromClient(client: Client): FormState {
  const form = emptyForm();
  for (const name of FIELD_NAMES) if (isTextField(name)) form[name] = client[name] ?? '';
  form.contraindication_flags = [...client.contraindication_flags];
  return form;
}

/** The payload to send: text as typed, empty dates and "Not stated" as null. */
export function fieldsFromForm(form: FormState): ClientFields {
  const nullable = (v: string): string | null => (v === '' ? null : v);
  return {
    first_name: form.first_name,
    last_name: form.last_name,
    preferred_name: form.preferred_name,
    date_of_birth: nullable(form.date_of_birth),
    phone: form.phone,
    email: form.email,
    address: form.address,
    emergency_contact_name: form.emergency_contact_name,
    emergency_contact_phone: form.emergency_contact_phone,
    physician_name: form.physician_name,
    physician_contact: form.physician_contact,
    occupation: form.occupation,
    posture_notes: form.posture_notes,
    medical_history: form.medical_history,
    medications_preventive: form.medications_preventive,
    medications_acute: form.medications_acute,
    allergies: form.allergies,
    contraindications: form.contraindications,
    contraindication_flags: [...form.contraindication_flags],
    preferred_pressure: form.preferred_pressure === '' ? null : (form.preferred_pressure as Pressure),
    areas_to_avoid: form.areas_to_avoid,
    positioning: form.positioning,
    consent_version: form.consent_version,
    consent_date: nullable(form.consent_date),
    notes: form.notes,
  };
}
