// Real IndexedDB semantics in Node: every test file gets an in-memory IndexedDB.
import 'fake-indexeddb/auto';
