/**
 * Device profiles: one device model as data, in `core/profiles/<protocol>/<vendor>/<model>.yaml`
 * (or a site's own profile folder), referenced from the site file as `<protocol>/<vendor>/<model>`.
 * Each protocol's profile format lives in its folder, core/protocols/<name>/profile.ts; the union
 * is composed by the protocol registry (core/protocols/index.ts). Re-exported for the services.
 */
export { type PointRole, pointRoleSchema } from '../protocols/common.ts';
export type { DeviceProfile } from '../protocols/index.ts';
export {
  type ModbusPoint,
  type ModbusProfile,
  modbusFunctionSchema,
  modbusPointSchema,
  modbusProfileSchema,
  registerTypeSchema,
  wordOrderSchema,
} from '../protocols/modbus/profile.ts';
export {
  type OpcuaPoint,
  type OpcuaProfile,
  opcuaPointSchema,
  opcuaProfileSchema,
} from '../protocols/opcua/profile.ts';
