/**
 * The API's 400 names each bad field by its path (`imap.port: imap.port must not be greater than 65535`, see
 * packages/runtime's validationPipe and channel-config's InvalidChannelSettings). The form shows each message beside
 * the field it names; a message naming no field of the form (or not shaped so) goes above the form.
 */
export interface FieldErrors {
  /** By field path: the reasons the API gave for it, joined. */
  fields: Record<string, string>;
  /** Whole messages that belong to no field of the form. */
  general: string[];
}

const FIELD_MESSAGE = /^([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*): ([\s\S]+)$/;

export function fieldErrorsOf(messages: readonly string[], knownFields: Iterable<string>): FieldErrors {
  const known = new Set(knownFields);
  const byField = new Map<string, string[]>();
  const general: string[] = [];
  for (const message of messages) {
    const match = FIELD_MESSAGE.exec(message.trim());
    const path = match?.[1];
    const reason = match?.[2]?.trim();
    if (path && reason && known.has(path)) {
      const reasons = byField.get(path) ?? [];
      if (!reasons.includes(reason)) reasons.push(reason);
      byField.set(path, reasons);
    } else if (message.trim() !== '' && !general.includes(message.trim())) {
      general.push(message.trim());
    }
  }
  const fields: Record<string, string> = {};
  for (const [path, reasons] of byField) fields[path] = reasons.join('; ');
  return { fields, general };
}

export const NO_FIELD_ERRORS: FieldErrors = { fields: {}, general: [] };

/** The first field, in the form's order, that has an error: where the focus goes after a refused save. */
export function firstFieldWithError(errors: FieldErrors, fieldsInOrder: readonly string[]): string | null {
  return fieldsInOrder.find((path) => path in errors.fields) ?? null;
}
