import { describe, expect, it } from 'vitest';
import type { Client } from './bindings/Client';
import {
  FIELD_NAMES,
  SECTIONS,
  emptyForm,
  fieldsFromForm,
  formFromClient,
} from './clientForm';

const client: Client = {
  id: '0190-aaaa',
  age: 40,
  version: 3,
  created_at: '2025-01-01T10:00:00Z',
  updated_at: '2025-01-02T10:00:00Z',
  archived_at: null,
  first_name: 'Ann',
  last_name: 'Lee',
  preferred_name: '',
  date_of_birth: '1985-03-07',
  phone: '+44 20 7946 0958',
  email: 'ann@example.org',
  address: '1 High St\nTown',
  emergency_contact_name: '',
  emergency_contact_phone: '',
  physician_name: '',
  physician_contact: '',
  occupation: '',
  posture_notes: '',
  medical_history: '',
  medications_preventive: '',
  medications_acute: '',
  allergies: 'Lavender oil',
  contraindications: '',
  contraindication_flags: ['anticoagulants', 'recent_neck_injury'],
  preferred_pressure: 'moderate',
  areas_to_avoid: '',
  positioning: '',
  consent_version: '',
  consent_date: null,
  notes: '',
};

describe('form state', () => {
  it('starts empty, with empty dates and pressure mapping to null', () => {
    const fields = fieldsFromForm(emptyForm());
    expect(fields.date_of_birth).toBeNull();
    expect(fields.consent_date).toBeNull();
    expect(fields.preferred_pressure).toBeNull();
    expect(fields.contraindication_flags).toEqual([]);
    expect(fields.first_name).toBe('');
    expect(Object.keys(fields).sort()).toEqual([...FIELD_NAMES].sort());
  });

  it('round-trips a client record to the same fields', () => {
    const form = formFromClient(client);
    expect(form.consent_date).toBe('');
    expect(form.preferred_pressure).toBe('moderate');
    const fields = fieldsFromForm(form);
    for (const name of FIELD_NAMES) expect(fields[name]).toEqual(client[name]);
  });

  it('does not share the flag list with the record or the payload', () => {
    const form = formFromClient(client);
    form.contraindication_flags.push('hypertension');
    expect(client.contraindication_flags).toHaveLength(2);
    const fields = fieldsFromForm(form);
    form.contraindication_flags.pop();
    expect(fields.contraindication_flags).toHaveLength(3);
  });

  it('sends text exactly as typed (the core trims and validates)', () => {
    const form = emptyForm();
    form.first_name = '  Ann ';
    form.notes = 'line 1\nline 2';
    form.date_of_birth = '1985-03-07';
    form.preferred_pressure = 'firm';
    const fields = fieldsFromForm(form);
    expect(fields.first_name).toBe('  Ann ');
    expect(fields.notes).toBe('line 1\nline 2');
    expect(fields.date_of_birth).toBe('1985-03-07');
    expect(fields.preferred_pressure).toBe('firm');
  });
});

describe('layout', () => {
  it('shows every field exactly once', () => {
    const shown = SECTIONS.flatMap((s) => s.fields.map((f) => f.name));
    expect([...shown].sort()).toEqual([...FIELD_NAMES].sort());
  });
});
