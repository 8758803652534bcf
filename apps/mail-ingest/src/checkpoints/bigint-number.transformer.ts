import type { ValueTransformer } from 'typeorm';

/** pg returns bigint as a string; UIDs are 32-bit unsigned, so a JS number holds them exactly. */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};
