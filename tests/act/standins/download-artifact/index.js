// Stand-in for actions/download-artifact v4.3.0, the way it downloads by `name` or by
// `artifact-ids`: with a `github-token`, from another run through the REST API
// ($GITHUB_API_URL), otherwise from this run's artifact service; each artifact by id, its
// digest checked, into `path` (a folder per artifact for `artifact-ids`, as that action does).
const os = require('os')
const path = require('path')
const core = require('@actions/core')
const {DefaultArtifactClient} = require('@actions/artifact')

async function main() {
  const name = core.getInput('name')
  const ids = core.getInput('artifact-ids')
  const token = core.getInput('github-token')
  const repository = core.getInput('repository')
  const runId = parseInt(core.getInput('run-id'), 10)
  let target = core.getInput('path') || process.env.GITHUB_WORKSPACE || process.cwd()
  if (target.startsWith('~')) target = target.replace('~', os.homedir())
  if (name && ids) throw new Error("Inputs 'name' and 'artifact-ids' cannot be used together. Please specify only one.")
  if (!name && !ids) throw new Error('this stand-in downloads by name or by artifact-ids only')
  const resolved = path.resolve(target)
  const options = {}
  if (token) {
    const [repositoryOwner, repositoryName] = repository.split('/')
    if (!repositoryOwner || !repositoryName) throw new Error(`Invalid repository: '${repository}'. Must be in format owner/repo`)
    options.findBy = {token, workflowRunId: runId, repositoryOwner, repositoryName}
  }
  const client = new DefaultArtifactClient()
  let artifacts
  if (name) {
    const {artifact} = await client.getArtifact(name, options)
    if (!artifact) throw new Error(`Artifact '${name}' not found`)
    artifacts = [artifact]
  } else {
    const wanted = ids.split(',').map(s => s.trim()).filter(Boolean).map(s => {
      const id = parseInt(s, 10)
      if (isNaN(id)) throw new Error(`Invalid artifact ID: '${s}'. Must be a number.`)
      return id
    })
    const listed = await client.listArtifacts({latest: true, ...options})
    artifacts = listed.artifacts.filter(a => wanted.includes(a.id))
    if (artifacts.length === 0) throw new Error('None of the provided artifact IDs were found')
  }
  for (const artifact of artifacts) {
    core.info(`- ${artifact.name} (ID: ${artifact.id}, Size: ${artifact.size}, Expected Digest: ${artifact.digest})`)
    const outcome = await client.downloadArtifact(artifact.id, {
      ...options,
      path: name ? resolved : path.join(resolved, artifact.name),
      expectedHash: artifact.digest
    })
    if (outcome.digestMismatch) core.warning(`Artifact '${artifact.name}' digest validation failed. Please verify the integrity of the artifact.`)
  }
  core.info(`Total of ${artifacts.length} artifact(s) downloaded`)
  core.setOutput('download-path', resolved)
}

main().catch(error => core.setFailed(error.message))
