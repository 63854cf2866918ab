// Changelog lines for `changeset version`: each changeset's summary as one
// entry, and one entry naming the sibling packages a release picked up. A
// package's first release (from 0.0.0) is the first of its dependencies too,
// so it lists none of them: its changelog says "Initial release" and no more.

/** The summary as a list item, later lines indented under it. */
async function getReleaseLine(changeset) {
  const [first, ...rest] = changeset.summary.trim().split('\n');
  return [`- ${first}`, ...rest.map((line) => (line.trim() === '' ? '' : `  ${line}`))].join('\n');
}

/** One entry for the sibling packages this release moved to, unless they are all at their first release. */
async function getDependencyReleaseLine(_changesets, updated) {
  const moved = updated.filter((dependency) => dependency.oldVersion !== '0.0.0');
  if (moved.length === 0) return '';
  return `- Uses ${moved.map((dependency) => `${dependency.name}@${dependency.newVersion}`).join(', ')}`;
}

module.exports = { default: { getReleaseLine, getDependencyReleaseLine } };
