/**
 * A result that may instead carry a message for the user: what the round arithmetic and the form's parsers
 * return, so that the form can show the message beside its field and the engine can throw it.
 */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };
