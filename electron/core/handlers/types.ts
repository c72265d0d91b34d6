// The shape of a desktop API handler: validated input in (desktopInputs[M]), the method's output
// out, failures thrown (createAppService turns them into Result values once).

import type { z } from 'zod';
import type { DesktopMethod, DesktopOutputs, desktopInputs } from '../../../shared/api/desktop-api';

export type Handler<M extends DesktopMethod> = (input: z.output<(typeof desktopInputs)[M]>) => Promise<DesktopOutputs[M]>;

/** Handlers for a group of methods. */
export type HandlerGroup<M extends DesktopMethod> = { [K in M]: Handler<K> };
