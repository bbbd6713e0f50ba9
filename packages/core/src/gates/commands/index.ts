/** The `commands` gate and the one-command check the proxy uses on tool-call arguments (issue #14). */
export { commands, type CommandsDetails, type CommandsOptions } from './gate.js';
export { evaluateArgv, evaluateCommand, type CommandVerdict } from './evaluate.js';
export { COMMAND_FAMILIES, type CommandFamily, type FamilyOptions } from './families.js';
