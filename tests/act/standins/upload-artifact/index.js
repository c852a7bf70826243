// Stand-in for actions/upload-artifact v4.6.2: uploads the files `path` names (files or
// folders, one a line; no glob patterns, which the missionkit workflows do not use) to the
// runner's artifact service with @actions/artifact, and sets the action's outputs.
const fs = require('fs')
const path = require('path')
const core = require('@actions/core')
const {DefaultArtifactClient} = require('@actions/artifact')

function walk(target, found) {
  const stat = fs.statSync(target)
  if (stat.isDirectory()) {
    for (const entry of fs.readdirSync(target)) walk(path.join(target, entry), found)
  } else if (stat.isFile()) {
    found.push(target)
  }
}

async function main() {
  const name = core.getInput('name') || 'artifact'
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd()
  const wanted = core.getInput('path', {required: true}).split('\n').map(s => s.trim()).filter(Boolean)
  const noFiles = core.getInput('if-no-files-found') || 'warn'
  if (wanted.some(p => /[*?[\]!]/.test(p))) {
    throw new Error('this stand-in takes plain paths, not glob patterns')
  }
  const files = []
  for (const item of wanted) {
    const target = path.resolve(workspace, item)
    if (fs.existsSync(target)) walk(target, files)
  }
  if (files.length === 0) {
    const message = `No files were found with the provided path: ${wanted.join(', ')}. No artifacts will be uploaded.`
    if (noFiles === 'error') throw new Error(message)
    if (noFiles === 'warn') core.warning(message)
    else core.info(message)
    return
  }
  const root = files.length === 1 ? path.dirname(files[0]) : commonFolder(files)
  const options = {}
  const days = core.getInput('retention-days')
  if (days) options.retentionDays = parseInt(days, 10)
  options.compressionLevel = parseInt(core.getInput('compression-level') || '6', 10)
  const client = new DefaultArtifactClient()
  const uploaded = await client.uploadArtifact(name, files, root, options)
  core.info(`Artifact ${name} has been successfully uploaded! Final size is ${uploaded.size} bytes. Artifact ID is ${uploaded.id}`)
  const server = process.env.GITHUB_SERVER_URL || 'https://github.com'
  const url = `${server}/${process.env.GITHUB_REPOSITORY}/actions/runs/${process.env.GITHUB_RUN_ID}/artifacts/${uploaded.id}`
  core.setOutput('artifact-id', uploaded.id)
  core.setOutput('artifact-digest', uploaded.digest)
  core.setOutput('artifact-url', url)
}

function commonFolder(files) {
  let common = path.dirname(files[0])
  while (!files.every(f => f.startsWith(common + path.sep))) common = path.dirname(common)
  return common
}

main().catch(error => core.setFailed(error.message))
