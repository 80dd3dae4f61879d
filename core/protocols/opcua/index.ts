import { opcuaConnectionSchema } from './connection.ts';
import { type OpcuaPoint, opcuaProfileSchema } from './profile.ts';

/** OPC UA: what core knows of the protocol (its gateway side is gateway/protocols/opcua/). */
export const opcua = {
  name: 'opcua',
  connections: [opcuaConnectionSchema],
  profile: opcuaProfileSchema,
  /** Device keys listing points of the device's profile (each must exist there). */
  pointLists: ['stale_points'],
  checkConnection: undefined,
  /** On/off (0/1): Boolean variables. */
  binaryPoint: (point: OpcuaPoint) => point.data_type === 'Boolean',
} as const;
