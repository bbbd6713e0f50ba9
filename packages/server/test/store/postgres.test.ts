import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/types.js';
import { dropSchema, postgresSuiteOptions, TEST_DATABASE_URL, testSchema } from '../helpers/postgres.js';
import { storeContract } from './contract.js';

const suite = await postgresSuiteOptions();

storeContract(
  'postgres',
  async () => {
    const schema = testSchema();
    const opened: PostgresStore[] = [];
    const open = async (): Promise<Store> => {
      const store = new PostgresStore({ url: TEST_DATABASE_URL, schema, poolSize: 6 });
      opened.push(store);
      await store.init();
      return store;
    };
    return {
      store: await open(),
      reopen: open,
      cleanup: async () => {
        for (const store of opened) await store.close();
        await dropSchema(schema);
      },
    };
  },
  suite,
);
