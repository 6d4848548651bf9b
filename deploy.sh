#!/usr/bin/env bash
# Deploys the scam classifier to Google Cloud with the gcloud CLI. Run ./deploy.sh --help.
set -euo pipefail

usage() {
  cat <<EOF
Usage: ./deploy.sh COMMAND [options]

Commands
  function   Deploy as a Cloud Function (gen2, python311, entry point predict, HTTP trigger).
             Uploads only ${UPLOAD_ALLOWED[*]} (listed first, by gcloud meta
             list-files-for-upload); a file outside that list stops the deploy.
  run        Deploy the project's Dockerfile as a Cloud Run service (CPU boost at start-up,
             startup probe on /readyz). --image=IMAGE deploys an image that is already built.
  model      Upload the model artifact (model.json and the files it names) to
             gs://BUCKET/PREFIX/, so that either form can load it with --model-uri.
  call       Smoke-test the deployed function: gcloud functions call NAME --data '{"text": ...}'.

Options (each also read from the environment variable shown; a flag wins)
  --project=ID          DEPLOY_PROJECT, GOOGLE_CLOUD_PROJECT or CLOUDSDK_CORE_PROJECT (required)
  --region=REGION       DEPLOY_REGION         default from serving.env: $REGION
  --name=NAME           DEPLOY_NAME           default from serving.env: $NAME (the function or service)
  --memory=SIZE         DEPLOY_MEMORY         default from serving.env: $MEMORY (Mi or Gi)
  --cpu=N               DEPLOY_CPU            default from serving.env: $CPU (1, 2, 4, 6, 8 or a fraction)
  --min-instances=N     DEPLOY_MIN_INSTANCES  default from serving.env: $MIN_INSTANCES (1 or more: no cold starts, billed idle)
  --max-instances=N     DEPLOY_MAX_INSTANCES  default from serving.env: $MAX_INSTANCES
  --concurrency=N       DEPLOY_CONCURRENCY    default from serving.env: $CONCURRENCY (requests at once per instance)
  --timeout=SECONDS     DEPLOY_TIMEOUT        default from serving.env: ${TIMEOUT}s
  --public              DEPLOY_PUBLIC=true    allow unauthenticated calls (default: private)
  --image=IMAGE         DEPLOY_IMAGE          run: deploy this image instead of building one
  --bucket=BUCKET       DEPLOY_BUCKET         model: the bucket to upload to (required)
  --prefix=PREFIX       DEPLOY_PREFIX         model: default models/<version in model.json>
  --model-dir=DIR       DEPLOY_MODEL_DIR      model: default model
  --text=TEXT           DEPLOY_TEXT           call: the e-mail text to classify
  --dry-run             DEPLOY_DRY_RUN=true   print every command, run none
The function's own settings are passed on to either form:
  --model-uri=URI       MODEL_URI             gs://BUCKET/PREFIX/ (default: the bundled model/)
  --max-body-bytes=N    MAX_BODY_BYTES        --max-batch=N  MAX_BATCH     --threshold=X  THRESHOLD

Examples
  ./deploy.sh function --project=my-project-123
  ./deploy.sh model --project=my-project-123 --bucket=my-models
  ./deploy.sh run --project=my-project-123 --model-uri=gs://my-models/models/VERSION/ --min-instances=1
  ./deploy.sh call --project=my-project-123 --text='You have won a prize, send your bank details'
EOF
}

fail() { echo "deploy.sh: $*" >&2; exit 2; }

# The upload's allow-list: all that the function runs. `function` and `run` upload what
# `gcloud meta list-files-for-upload .` lists (.gcloudignore leaves out the rest) and refuse to go
# on when it lists anything else, such as a stray service-account.json or notes.txt in this
# folder. .dockerignore keeps the container's build context to the same list (a test compares).
# A file your function needs: add it here, in .dockerignore and in the Dockerfile.
UPLOAD_ALLOWED=(main.py requirements.txt function/ model/)

# The options, for the nearest-match hint on a typo (the option table below handles each one).
OPTIONS=(--project --region --name --memory --cpu --min-instances --max-instances --concurrency
  --timeout --public --image --bucket --prefix --model-dir --text --dry-run --model-uri
  --max-body-bytes --max-batch --threshold --help)

nearest() {  # nearest WORD CANDIDATE...: the closest candidate, dashes aside, or nothing
  python3 -c 'import difflib, sys
names = {name.lstrip("-"): name for name in sys.argv[2:]}
print("".join(names[m] for m in difflib.get_close_matches(sys.argv[1].lstrip("-"), names, 1, 0.7)))' "$@"
}

did_you_mean() {  # did_you_mean WORD CANDIDATE...: "; did you mean X?" when one is close
  local match
  match=$(nearest "$@" 2>/dev/null) || true
  [[ -z $match ]] || printf '; did you mean %s?' "$match"
}

cd "$(dirname "${BASH_SOURCE[0]}")"  # --source=. is the project root, whatever the caller's folder
# shellcheck source=serving.env
. ./serving.env  # the defaults: NAME, REGION, the sizes (and what the image renders from them)

COMMAND=${1:-}
case "$COMMAND" in
  function | run | model | call) shift ;;
  -h | --help | help) usage; exit 0 ;;
  "") usage >&2; exit 2 ;;
  *) fail "unknown command '$COMMAND'$(did_you_mean "$COMMAND" function run model call) (function, run, model or call; see --help)" ;;
esac

PROJECT=${DEPLOY_PROJECT:-${GOOGLE_CLOUD_PROJECT:-${CLOUDSDK_CORE_PROJECT:-}}}
REGION=${DEPLOY_REGION:-$REGION}
NAME=${DEPLOY_NAME:-$NAME}
MEMORY=${DEPLOY_MEMORY:-$MEMORY}
CPU=${DEPLOY_CPU:-$CPU}
MIN_INSTANCES=${DEPLOY_MIN_INSTANCES:-$MIN_INSTANCES}
MAX_INSTANCES=${DEPLOY_MAX_INSTANCES:-$MAX_INSTANCES}
CONCURRENCY=${DEPLOY_CONCURRENCY:-$CONCURRENCY}
TIMEOUT=${DEPLOY_TIMEOUT:-${TIMEOUT}s}
PUBLIC=${DEPLOY_PUBLIC:-false}
IMAGE=${DEPLOY_IMAGE:-}
BUCKET=${DEPLOY_BUCKET:-}
PREFIX=${DEPLOY_PREFIX:-}
MODEL_DIR=${DEPLOY_MODEL_DIR:-model}
TEXT=${DEPLOY_TEXT:-Dear friend, you have won 5,000,000 USD. Send your bank account details to claim it.}
DRY_RUN=${DEPLOY_DRY_RUN:-false}
MODEL_URI=${MODEL_URI:-}
MAX_BODY_BYTES=${MAX_BODY_BYTES:-}
MAX_BATCH=${MAX_BATCH:-}
THRESHOLD=${THRESHOLD:-}

while (($#)); do
  option=$1
  shift
  case "$option" in
    -h | --help) usage; exit 0 ;;
    --*=*) value=${option#*=}; option=${option%%=*}; given=true ;;
    --public | --dry-run) value=true; given=true ;;
    --*) given=false ;;
    *) fail "unexpected argument '$option'$(did_you_mean "$option" "${OPTIONS[@]}") (see --help)" ;;
  esac
  [[ " ${OPTIONS[*]} " == *" $option "* ]] || \
    fail "unknown option $option$(did_you_mean "$option" "${OPTIONS[@]}") (see --help)"
  if [[ $given == false ]]; then
    (($#)) || fail "$option needs a value"
    value=$1
    shift
  fi
  case "$option" in
    --public) PUBLIC=$value ;;
    --dry-run) DRY_RUN=$value ;;
    --project) PROJECT=$value ;;
    --region) REGION=$value ;;
    --name) NAME=$value ;;
    --memory) MEMORY=$value ;;
    --cpu) CPU=$value ;;
    --min-instances) MIN_INSTANCES=$value ;;
    --max-instances) MAX_INSTANCES=$value ;;
    --concurrency) CONCURRENCY=$value ;;
    --timeout) TIMEOUT=$value ;;
    --image) IMAGE=$value ;;
    --bucket) BUCKET=$value ;;
    --prefix) PREFIX=$value ;;
    --model-dir) MODEL_DIR=$value ;;
    --text) TEXT=$value ;;
    --model-uri) MODEL_URI=$value ;;
    --max-body-bytes) MAX_BODY_BYTES=$value ;;
    --max-batch) MAX_BATCH=$value ;;
    --threshold) THRESHOLD=$value ;;
  esac
done

# -- validation: gcloud sends values such as --memory=512XB to the API unchecked ----------------

matches() { [[ $1 =~ $2 ]]; }
check() {  # check VALUE REGEX MESSAGE
  matches "$1" "$2" || fail "$3"
}
check_bool() { matches "$2" '^(true|false)$' || fail "$1 must be true or false, not '$2'"; }

[[ -n $PROJECT ]] || fail "no project: pass --project=ID or set GOOGLE_CLOUD_PROJECT \
(gcloud config get-value project shows your default)"
check "$PROJECT" '^[a-z][-a-z0-9]{4,28}[a-z0-9]$' "--project: '$PROJECT' is not a project ID"
check "$REGION" '^[a-z]+-[a-z]+[0-9]+$' "--region: '$REGION' is not a region such as us-central1"
check "$NAME" '^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$' \
  "--name: '$NAME' must be lower-case letters, digits and dashes, starting with a letter"
check "$MEMORY" '^[1-9][0-9]*(Mi|Gi)$' "--memory: '$MEMORY' is not a size such as 512Mi or 2Gi"
check "$CPU" '^(0?\.[0-9]*[1-9][0-9]*|1|2|4|6|8)$' "--cpu: '$CPU' is not 1, 2, 4, 6, 8 or a fraction of one"
for pair in "min-instances:$MIN_INSTANCES" "max-instances:$MAX_INSTANCES" "concurrency:$CONCURRENCY"; do
  check "${pair#*:}" '^(0|[1-9][0-9]*)$' "--${pair%%:*}: '${pair#*:}' is not a whole number"
done
((MAX_INSTANCES >= 1)) || fail "--max-instances must be at least 1"
((MIN_INSTANCES <= MAX_INSTANCES)) || fail "--min-instances ($MIN_INSTANCES) exceeds --max-instances ($MAX_INSTANCES)"
((CONCURRENCY >= 1 && CONCURRENCY <= 1000)) || fail "--concurrency must lie between 1 and 1000"
CPU_WHOLE=${CPU%%.*}
CPU_WHOLE=${CPU_WHOLE:-0}
((CONCURRENCY == 1 || CPU_WHOLE >= 1)) || fail "--concurrency above 1 needs --cpu of 1 or more"
check "$TIMEOUT" '^[1-9][0-9]*s?$' "--timeout: '$TIMEOUT' is not a number of seconds such as 60s"
TIMEOUT=${TIMEOUT%s}s
((${TIMEOUT%s} <= 3600)) || fail "--timeout must lie between 1s and 3600s"
check_bool --public "$PUBLIC"
check_bool --dry-run "$DRY_RUN"
[[ -z $MODEL_URI ]] || check "$MODEL_URI" '^gs://[a-z0-9][-a-z0-9_.]+[a-z0-9](/[^,]*)?$' \
  "--model-uri: '$MODEL_URI' is not gs://BUCKET/PREFIX/ (leave it empty for the bundled model)"
[[ -z $MAX_BODY_BYTES ]] || check "$MAX_BODY_BYTES" '^[1-9][0-9]*$' "--max-body-bytes: not a whole number"
[[ -z $MAX_BATCH ]] || check "$MAX_BATCH" '^[1-9][0-9]*$' "--max-batch: not a whole number"
[[ -z $THRESHOLD ]] || check "$THRESHOLD" '^0?\.[0-9]*[1-9][0-9]*$' "--threshold: not a number between 0 and 1"

# -- running ----------------------------------------------------------------------------------

say() {  # to stdout for --dry-run, else to stderr like bash's own trace, away from captured output
  if [[ $DRY_RUN == true ]]; then echo "$*"; else echo "$*" >&2; fi
}

quote() {  # an argument as a shell would need it typed, quoted only when it must be
  if [[ $1 =~ ^[A-Za-z0-9_./:=@,+%-]+$ ]]; then printf '%s' "$1"; else printf "'%s'" "${1//\'/\'\\\'\'}"; fi
}

run() {  # prints the command, then runs it unless --dry-run
  local line="+" arg
  for arg in "$@"; do line+=" $(quote "$arg")"; done
  say "$line"
  [[ $DRY_RUN == true ]] || "$@"
}

if [[ $DRY_RUN != true ]] && ! command -v gcloud >/dev/null; then
  fail "gcloud not found: install the Google Cloud CLI, then run gcloud auth login"
fi

# The function's settings, the same for both forms: ORT_THREADS gives ONNX Runtime the instance's
# whole CPUs (the event loop takes any concurrency; there is no request thread pool to size).
env_vars() {
  local vars="ORT_THREADS=$((CPU_WHOLE > 0 ? CPU_WHOLE : 1))"
  [[ -z $MODEL_URI ]] || vars+=",MODEL_URI=$MODEL_URI"
  [[ -z $MAX_BODY_BYTES ]] || vars+=",MAX_BODY_BYTES=$MAX_BODY_BYTES"
  [[ -z $MAX_BATCH ]] || vars+=",MAX_BATCH=$MAX_BATCH"
  [[ -z $THRESHOLD ]] || vars+=",THRESHOLD=$THRESHOLD"
  echo "$vars"
}

access() {
  if [[ $PUBLIC == true ]]; then echo --allow-unauthenticated; else echo --no-allow-unauthenticated; fi
}

SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT

allowed() {  # allowed FILE: whether UPLOAD_ALLOWED names it or a folder of it
  local pattern
  for pattern in "${UPLOAD_ALLOWED[@]}"; do
    if [[ $pattern == */ ]]; then [[ $1 != "$pattern"* ]] || return 0; else [[ $1 != "$pattern" ]] || return 0; fi
  done
  return 1
}

# Lists what an upload of this folder holds (gcloud's own preview, offline) into $SCRATCH/files,
# less the folder LEFT_OUT, and prints it; refuses (one line, exit 2) if a file lies off the list.
check_upload() {  # check_upload [LEFT_OUT]
  local left_out=${1:-} file kept=() stray=()
  if [[ $DRY_RUN == true ]]; then
    run gcloud meta list-files-for-upload .
    say "# upload: the files listed${left_out:+ less $left_out}; refused if any lies outside ${UPLOAD_ALLOWED[*]}"
    return
  fi
  run gcloud meta list-files-for-upload . >"$SCRATCH/listed"
  while IFS= read -r file; do
    [[ -n $file && ( -z $left_out || $file != "$left_out"* ) ]] || continue
    if allowed "$file"; then kept+=("$file"); else stray+=("$file"); fi
  done <"$SCRATCH/listed"
  if ((${#stray[@]})); then
    local named= it=it
    for file in "${stray[@]:0:5}"; do named+="${named:+, }$(quote "$file")"; done
    ((${#stray[@]} <= 5)) || named+=" and $((${#stray[@]} - 5)) more"
    ((${#stray[@]} == 1)) || it=them
    fail "refusing to upload $named: outside the allow-list (${UPLOAD_ALLOWED[*]}); \
move $it out of $PWD or add $it to .gcloudignore"
  fi
  ((${#kept[@]})) || fail "nothing to upload: gcloud meta list-files-for-upload . lists none of ${UPLOAD_ALLOWED[*]}"
  printf '%s\n' "${kept[@]}" >"$SCRATCH/files"
  say "# upload: ${#kept[@]} files, all within the allow-list (${UPLOAD_ALLOWED[*]}):"
  for file in "${kept[@]}"; do say "#   $file"; done
}

deploy_function() {
  local source_flags=(--source=.) left_out=
  if [[ $MODEL_URI == gs://* ]]; then
    # The model comes from Cloud Storage: leave model/ out of the upload.
    { cat .gcloudignore; printf '\n/model\n'; } >"$SCRATCH/gcloudignore"
    source_flags+=(--ignore-file="$SCRATCH/gcloudignore")
    left_out=model/
    say "# upload: as .gcloudignore says, less model/ (the model comes from $MODEL_URI)"
  fi
  check_upload "$left_out"
  # The serving flags (sizes, instances) come from serving.env through the variables above; a new
  # serving setting gets its variable and check there, and its flag here and in deploy_run.
  run gcloud functions deploy "$NAME" --project="$PROJECT" --region="$REGION" --gen2 \
    --runtime=python311 "${source_flags[@]}" --entry-point=predict --trigger-http "$(access)" \
    --memory="$MEMORY" --cpu="$CPU" --min-instances="$MIN_INSTANCES" \
    --max-instances="$MAX_INSTANCES" --concurrency="$CONCURRENCY" --timeout="$TIMEOUT" \
    --set-env-vars="$(env_vars)"
}

# The container's build context: what .gcloudignore uploads for the function (checked against
# the allow-list), plus the Dockerfile (and .dockerignore), so the function's own upload stays free of them.
build_context() {
  local context=$SCRATCH/context file
  mkdir -p "$context"
  say "# build context $context: the files that gcloud meta list-files-for-upload names, and Dockerfile"
  [[ $DRY_RUN == true || -f Dockerfile ]] || fail "no Dockerfile in $PWD: the run form builds from it"
  check_upload
  [[ $DRY_RUN != true ]] || return 0
  while IFS= read -r file; do
    [[ -f $file ]] || continue
    mkdir -p "$context/$(dirname "$file")"
    cp "$file" "$context/$file"
  done <"$SCRATCH/files"
  cp Dockerfile "$context/"
  [[ ! -f .dockerignore ]] || cp .dockerignore "$context/"
}

deploy_run() {
  local image_flags=(--image="$IMAGE")
  if [[ -z $IMAGE ]]; then
    build_context
    image_flags=(--source="$SCRATCH/context")
  fi
  run gcloud run deploy "$NAME" --project="$PROJECT" --region="$REGION" "${image_flags[@]}" \
    "$(access)" --memory="$MEMORY" --cpu="$CPU" --min-instances="$MIN_INSTANCES" \
    --max-instances="$MAX_INSTANCES" --concurrency="$CONCURRENCY" --timeout="$TIMEOUT" \
    --cpu-boost --startup-probe=httpGet.path=/readyz,periodSeconds=1,timeoutSeconds=1,failureThreshold=240 \
    --set-env-vars="$(env_vars)"
}

upload_model() {
  [[ -n $BUCKET ]] || fail "no bucket: pass --bucket=BUCKET or set DEPLOY_BUCKET \
(create one with: gcloud storage buckets create gs://BUCKET --location=$REGION)"
  check "$BUCKET" '^[a-z0-9][-a-z0-9_.]{1,220}[a-z0-9]$' "--bucket: '$BUCKET' is not a bucket name"
  [[ -f $MODEL_DIR/model.json ]] || fail "no model.json in $MODEL_DIR"
  local listing
  # model.json names its files and version; python3 reads it (the project needs it anyway).
  listing=$(python3 -c 'import json, sys
meta = json.load(open(sys.argv[1], encoding="utf-8"))
print(meta["version"])
print("\n".join(["model.json", *sorted(meta["sha256"])]))' "$MODEL_DIR/model.json") \
    || fail "$MODEL_DIR/model.json is not a model artifact"
  local version files=() name
  version=$(head -n 1 <<<"$listing")
  while IFS= read -r name; do files+=("$MODEL_DIR/$name"); done < <(tail -n +2 <<<"$listing")
  # The artifact's NOTICE (python -m export.notice: its corpora, their licences) travels with it.
  [[ ! -f $MODEL_DIR/NOTICE ]] || files+=("$MODEL_DIR/NOTICE")
  local prefix=${PREFIX:-models/$version}
  prefix=${prefix#/}
  local uri="gs://$BUCKET/${prefix%/}/"
  run gcloud storage cp "${files[@]}" "$uri" --project="$PROJECT"
  say "# deploy either form with --model-uri=$uri"
}

call_function() {
  local data
  data=$(python3 -c 'import json, sys; print(json.dumps({"text": sys.argv[1]}))' "$TEXT")
  run gcloud functions call "$NAME" --project="$PROJECT" --region="$REGION" --gen2 --data="$data"
}

case "$COMMAND" in
  function) deploy_function ;;
  run) deploy_run ;;
  model) upload_model ;;
  call) call_function ;;
esac
