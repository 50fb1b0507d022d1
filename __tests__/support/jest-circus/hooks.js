'use strict';

/*
 * The shape of jest-circus's hook declaration, in a folder named jest-circus: a public function (`beforeEach`) that
 * calls `_addHook`, which dispatches `add_hook` (here: calls `onAdd`, standing in for the event handlers).
 */

const _addHook = (onAdd, hookFn) => (hookFn ? onAdd() : undefined);
const beforeEach = onAdd => _addHook(onAdd, beforeEach);

/** A hook declared from inside jest-circus, as Jest's adapter declares its own root `beforeEach`. */
const declareJestsOwn = onAdd => beforeEach(onAdd);

module.exports = {beforeEach, declareJestsOwn};
