// Opening a person's or a device's incident view from another page (users, devices): the shell
// switches to the audit trail, which shows the incident view asked for. The shell keeps which one.

import { createContext, useContext } from 'react';

export type IncidentSubject = { kind: 'user' | 'device'; id: string };

export interface IncidentNav {
  /** the incident view shown on the audit page (null: the trail) */
  current: IncidentSubject | null;
  open(subject: IncidentSubject): void;
  close(): void;
}

export const IncidentNavContext = createContext<IncidentNav | null>(null);

/** null where the audit trail is not offered (the incident view lives there). */
export function useIncidentNav(): IncidentNav | null {
  return useContext(IncidentNavContext);
}
