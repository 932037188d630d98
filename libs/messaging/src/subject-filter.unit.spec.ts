import { filterIsSubsetOf, filtersOverlap, isValidSubject, subjectMatchesFilter } from './subject-filter';

describe('isValidSubject', () => {
  it.each([
    ['sms.commands.send', false, true],
    ['sms.commands.>', true, true],
    ['sms.*.send', true, true],
    ['sms.commands.>', false, false],
    ['sms.>.send', true, false],
    ['sms..send', false, false],
    ['', false, false],
    ['sms.commands send', false, false],
    ['sms.comm*nds', true, false],
  ])('%j with wildcards %s is %s', (subject, allowWildcards, valid) => {
    expect(isValidSubject(subject, allowWildcards)).toBe(valid);
  });
});

describe('subjectMatchesFilter', () => {
  it.each([
    ['sms.commands.send', 'sms.commands.>', true],
    ['sms.commands.send', 'sms.*.send', true],
    ['sms.commands.send', 'sms.commands.send', true],
    ['sms.commands', 'sms.commands.>', false],
    ['sms.commands.send.now', 'sms.commands.*', false],
    ['sms.events.send', 'sms.commands.>', false],
  ])('%j against %j is %s', (subject, filter, matches) => {
    expect(subjectMatchesFilter(subject, filter)).toBe(matches);
  });
});

describe('filterIsSubsetOf', () => {
  it.each([
    ['sms.commands.*', 'sms.commands.>', true],
    ['sms.commands.>', 'sms.commands.>', true],
    ['sms.commands.>', 'sms.>', true],
    ['sms.commands.>', 'sms.commands.*', false],
    ['sms.*.send', 'sms.commands.send', false],
    ['sms.>', 'sms.commands.>', false],
  ])('%j inside %j is %s', (inner, outer, subset) => {
    expect(filterIsSubsetOf(inner, outer)).toBe(subset);
  });
});

describe('filtersOverlap', () => {
  it.each([
    ['sms.commands.>', 'sms.commands.send', true],
    ['sms.*.send', 'sms.commands.*', true],
    ['sms.commands.send', 'sms.commands.cancel', false],
    ['sms.commands.>', 'sms.commands', false],
    ['sms.commands.*', 'sms.commands.send.now', false],
    ['>', 'anything.at.all', true],
  ])('%j and %j is %s', (first, second, overlap) => {
    expect(filtersOverlap(first, second)).toBe(overlap);
    expect(filtersOverlap(second, first)).toBe(overlap);
  });
});
