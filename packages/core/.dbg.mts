import { pii } from './src/gates/pii.ts';
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
for (const t of process.argv.slice(2)) console.log(JSON.stringify(t), JSON.stringify(pii().run({ agent_id: 'a', output: t }, new AbortController().signal)));
console.log(parsePhoneNumberFromString('07700900123', 'GB')?.isValid(), parsePhoneNumberFromString('07911123456', 'GB')?.isValid(), parsePhoneNumberFromString('02079460958', 'GB')?.isValid());
