import { checkModbusConnection, modbusRtuConnectionSchema, modbusTcpConnectionSchema } from './connection.ts';
import { type ModbusPoint, modbusProfileSchema } from './profile.ts';

/** Modbus TCP and RTU: what core knows of the protocol (its gateway side is gateway/protocols/modbus/). */
export const modbus = {
  name: 'modbus',
  connections: [modbusTcpConnectionSchema, modbusRtuConnectionSchema],
  profile: modbusProfileSchema,
  /** Device keys listing points of the device's profile (each must exist there). */
  pointLists: ['slow_points', 'stale_points'],
  checkConnection: checkModbusConnection,
  /** On/off (0/1): coils and discrete inputs. */
  binaryPoint: (point: ModbusPoint) => point.type === 'bit',
} as const;
