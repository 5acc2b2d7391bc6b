"""Stage 3: build the model from parsed files: Terraform evaluated statically, Kubernetes objects as they
will be deployed (Kustomize builds and Helm charts rendered), whole files, the repository, live Haven
results; then the derive pass joins them into facts rules judge.

The stage's entry is `build.build`. This package file imports nothing, so a module that needs one fact
type (a Resource, a value) does not load the evaluator and the renderers."""
