"""Small kustomizations, one per feature, shared by the unit tests and the kubectl differential test.

Each case is (build root, {repository path: text}). They are written for these tests, modelled on what
real repositories do (base + overlays + components, generators, patches of every kind).
"""
from __future__ import annotations

from scanner.model.rendered import Place

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      serviceAccountName: runner
      initContainers:
        - name: init
          image: busybox:1.36
      containers:
        - name: app
          image: registry.example.org/shop/web:1.0
          ports:
            - containerPort: 8080
          env:
            - name: MODE
              value: base
            - name: COLOUR
              value: blue
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: db
                  key: password
          envFrom:
            - configMapRef:
                name: settings
          volumeMounts:
            - name: data
              mountPath: /data
        - name: sidecar
          image: proxy
      volumes:
        - name: data
          persistentVolumeClaim:
            claimName: data
        - name: config
          configMap:
            name: settings
"""

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 8080
"""

CASES: dict[str, tuple[str, dict[str, str]]] = {
    "resources": ("overlay", {
        "base/kustomization.yaml": "resources:\n  - deployment.yaml\n  - more\n",
        "base/deployment.yaml": DEPLOYMENT,
        "base/more/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - list.yaml\n",
        "base/more/list.yaml": """\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: runner
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: values-for-a-tool
      annotations:
        config.kubernetes.io/local-config: "true"
""",
        "overlay/kustomization.yaml": "resources:\n  - ../base\n  - service.yaml\n",
        "overlay/service.yaml": SERVICE,
    }),
    "namespace": ("app", {
        "app/kustomization.yaml": """\
namespace: shop
resources:
  - deployment.yaml
  - rbac.yaml
""",
        "app/deployment.yaml": DEPLOYMENT,
        "app/rbac.yaml": """\
apiVersion: v1
kind: Namespace
metadata:
  name: placeholder
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules: []
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: runner
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: read
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: reader
subjects:
  - kind: ServiceAccount
    name: runner
  - kind: ServiceAccount
    name: default
  - kind: ServiceAccount
    name: elsewhere
    namespace: other
""",
    }),
    "names": ("prod", {
        "base/kustomization.yaml": """\
namePrefix: shop-
resources:
  - deployment.yaml
  - others.yaml
""",
        "base/deployment.yaml": DEPLOYMENT,
        "base/others.yaml": """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: runner
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  minReplicas: 2
  maxReplicas: 4
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reader
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: read
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: reader
subjects:
  - kind: ServiceAccount
    name: runner
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  tls:
    - secretName: db
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  number: 80
""",
        "prod/kustomization.yaml": """\
nameSuffix: -prod
resources:
  - ../base
  - service.yaml
secretGenerator:
  - name: db
    literals:
      - password=hunter2
configMapGenerator:
  - name: settings
    literals:
      - LEVEL=info
""",
        "prod/service.yaml": SERVICE,
    }),
    "labels": ("app", {
        "app/kustomization.yaml": """\
resources:
  - deployment.yaml
  - service.yaml
commonLabels:
  team: payments
labels:
  - pairs:
      owner: platform
  - pairs:
      tier: frontend
    includeTemplates: true
  - pairs:
      release: stable
    includeSelectors: true
commonAnnotations:
  contact: platform@example.org
  revision: "42"
""",
        "app/deployment.yaml": DEPLOYMENT,
        "app/service.yaml": SERVICE,
    }),
    "images": ("app", {
        "app/kustomization.yaml": """\
resources:
  - deployment.yaml
  - cronjob.yaml
images:
  - name: registry.example.org/shop/web
    newName: mirror.example.eu/shop/web
    newTag: "2.1"
  - name: busybox
    digest: sha256:0000000000000000000000000000000000000000000000000000000000000001
  - name: proxy
    newTag: v3
  - name: report
    newName: mirror.example.eu/report
""",
        "app/deployment.yaml": DEPLOYMENT,
        "app/cronjob.yaml": """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: report
              image: report:5
""",
    }),
    "replicas": ("app", {
        "app/kustomization.yaml": """\
resources:
  - deployment.yaml
replicas:
  - name: web
    count: 5
""",
        "app/deployment.yaml": DEPLOYMENT,
    }),
    "strategic-merge": ("overlay", {
        "base/kustomization.yaml": "resources:\n  - deployment.yaml\n  - service.yaml\n",
        "base/deployment.yaml": DEPLOYMENT,
        "base/service.yaml": SERVICE,
        "overlay/kustomization.yaml": """\
resources:
  - ../base
patches:
  - path: deployment-patch.yaml
  - patch: |-
      apiVersion: v1
      kind: Service
      metadata:
        name: web
      $patch: delete
  - target:
      kind: Deployment
      labelSelector: app=web
    patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: any
      spec:
        template:
          spec:
            securityContext:
              runAsNonRoot: true
patchesStrategicMerge:
  - legacy-patch.yaml
""",
        "overlay/deployment-patch.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: null
  template:
    spec:
      containers:
        - name: app
          env:
            - name: COLOUR
              value: green
            - name: MODE
              $patch: delete
            - name: REGION
              value: eu-west
          ports:
            - containerPort: 9090
          resources:
            limits:
              memory: 256Mi
        - name: sidecar
          $patch: delete
      volumes:
        - name: cache
          emptyDir: {}
""",
        "overlay/legacy-patch.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      annotations:
        $patch: replace
        checksum: abc
    spec:
      nodeSelector:
        zone: eu
""",
    }),
    "json6902": ("overlay", {
        "base/kustomization.yaml": "resources:\n  - deployment.yaml\n  - service.yaml\n",
        "base/deployment.yaml": DEPLOYMENT,
        "base/service.yaml": SERVICE,
        "overlay/kustomization.yaml": """\
resources:
  - ../base
patches:
  - target:
      kind: Deployment
      name: w.b
    patch: |-
      - op: replace
        path: /spec/template/spec/containers/0/image
        value: registry.example.org/shop/web:1.1
      - op: add
        path: /spec/template/spec/containers/0/env/-
        value:
          name: EXTRA
          value: "1"
      - op: remove
        path: /spec/template/spec/containers/1
      - op: test
        path: /spec/replicas
        value: 2
      - op: copy
        from: /metadata/labels/app
        path: /metadata/labels/copied
      - op: move
        from: /spec/template/spec/serviceAccountName
        path: /spec/template/spec/serviceAccount
      - op: add
        path: /metadata/annotations/example.org~1note
        value: patched
patchesJson6902:
  - target:
      version: v1
      kind: Service
      name: web
    path: service-ops.json
""",
        "overlay/service-ops.json": """\
[
  {"op": "replace", "path": "/spec/ports/0/port", "value": 443},
  {"op": "add", "path": "/spec/type", "value": "ClusterIP"}
]
""",
    }),
    "generators": ("overlay", {
        "base/kustomization.yaml": """\
resources:
  - deployment.yaml
generatorOptions:
  labels:
    generated: "yes"
configMapGenerator:
  - name: settings
    literals:
      - LEVEL=debug
      - 'GREETING="hello world"'
    files:
      - app.properties
      - tuned=tuning.conf
    envs:
      - defaults.env
secretGenerator:
  - name: db
    type: kubernetes.io/basic-auth
    literals:
      - username=app
      - password=s3cr3t-Passw0rd
""",
        "base/deployment.yaml": DEPLOYMENT,
        "base/app.properties": "cache.size=10\n",
        "base/tuning.conf": "threads = 4\n",
        "base/defaults.env": "# defaults\nTIMEOUT=30\n\nRETRIES=3\n",
        "overlay/kustomization.yaml": """\
resources:
  - ../base
configMapGenerator:
  - name: settings
    behavior: merge
    literals:
      - LEVEL=warn
secretGenerator:
  - name: db
    behavior: replace
    type: kubernetes.io/basic-auth
    literals:
      - username=prod
      - password=an0ther-Secret
  - name: static
    options:
      disableNameSuffixHash: true
    literals:
      - token=abc
""",
    }),
    "inline-patches": ("app", {
        "app/kustomization.yaml": """\
resources:
  - service.yaml
patchesStrategicMerge:
  - |-
    apiVersion: v1
    kind: Service
    metadata:
      name: web
    spec:
      sessionAffinity: ClientIP
patches:
  - target: {kind: Service, name: web}
    patch: '[{"op": "add", "path": "/spec/externalTrafficPolicy", "value": "Local"}]'
""",
        "app/service.yaml": SERVICE,
    }),
    "blank-nulls": ("app", {
        "app/kustomization.yaml": """\
resources:
  - deployment.yaml
  - untouched.yaml
patches:
  - patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 3
""",
        "app/deployment.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  paused:
  revisionHistoryLimit: null
  template:
    spec:
      containers:
        - name: app
          image: web
          args:
        - {}
      volumes:
        - name: scratch
          emptyDir:   # written as nothing
        - name: cache
          emptyDir: {}
""",
        "app/untouched.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kept\ndata:\n  empty:\n",
    }),
    "components": ("overlay", {
        "base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
        "base/deployment.yaml": DEPLOYMENT,
        "feature/kustomization.yaml": """\
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources:
  - service.yaml
patches:
  - patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        template:
          spec:
            containers:
              - name: app
                env:
                  - name: FEATURE
                    value: "on"
""",
        "feature/service.yaml": SERVICE,
        "overlay/kustomization.yaml": """\
namespace: shop
resources:
  - ../base
components:
  - ../feature
""",
    }),
    "origin": ("overlay", {
        "base/kustomization.yaml": "resources:\n  - service.yaml\nconfigMapGenerator:\n  - name: cfg\n    literals: [A=1]\n",
        "base/service.yaml": SERVICE,
        "overlay/kustomization.yaml": "resources:\n  - ../base\nbuildMetadata: [originAnnotations]\n",
    }),
    "configurations": ("app", {
        "app/kustomization.yaml": """\
namePrefix: team-
resources:
  - database.yaml
configurations:
  - backup-refs.yaml
""",
        "app/backup-refs.yaml": """\
nameReference:
  - kind: Cluster
    group: postgresql.example.org
    fieldSpecs:
      - path: spec/cluster/name
        kind: ScheduledBackup
""",
        "app/database.yaml": """\
apiVersion: postgresql.example.org/v1
kind: Cluster
metadata:
  name: db
spec:
  instances: 3
---
apiVersion: postgresql.example.org/v1
kind: ScheduledBackup
metadata:
  name: nightly
spec:
  cluster:
    name: db
""",
    }),
}


def files_of(case: str) -> dict[str, str]:
    return CASES[case][1]


def at(case: str, path: str, snippet: str) -> Place:
    """The place of the one line of `path` in `case` that contains `snippet`."""
    lines = [i for i, line in enumerate(CASES[case][1][path].split("\n"), start=1) if snippet in line]
    assert len(lines) == 1, f"{snippet!r} is on lines {lines} of {path}"
    return Place(path, lines[0])


# Behaviour the differential test pins against kubectl without a unit test of its own: kustomize's list
# order after a merge, primitive-list merges, list `$patch: replace`, legacy image tags, target regexes and
# annotation selectors, the double tagSuffix, custom label field specs, generated secrets from env files.
ORACLE_ONLY: dict[str, tuple[str, dict[str, str]]] = {
    "merge-details": ("app", {
        "app/kustomization.yaml": """\
resources:
  - deployment.yaml
patches:
  - patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
        finalizers: [b, c]
      spec:
        template:
          spec:
            tolerations:
              - key: x
            containers:
              - name: sidecar
                args: [--verbose]
              - name: app
                env:
                  - $patch: replace
                  - name: ONLY
                    value: "1"
  - target:
      name: "w.*"
      annotationSelector: "team in (a,b)"
    patch: |-
      - op: add
        path: /metadata/labels/selected
        value: "yes"
imageTags:
  - name: registry.example.org/shop/web
    tagSuffix: -fips
""",
        "app/deployment.yaml": DEPLOYMENT.replace("  labels:\n    app: web\nspec:", "  finalizers: [a, b]\n  annotations:\n"
                                                  "    team: a\n  labels:\n    app: web\nspec:", 1),
    }),
    "generated-refs": ("app", {
        "app/kustomization.yaml": """\
namePrefix: p-
nameSuffix: -s
namespace: ns1
resources:
  - resources.yaml
labels:
  - pairs:
      custom: "1"
    fields:
      - path: spec/template/metadata/labels
        kind: Widget
        create: true
secretGenerator:
  - name: envsec
    envs: [secret.env]
    files: [cert.pem]
  - name: long
    literals:
      - key=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa<&>
patches:
  - target: {kind: Widget}
    patch: |-
      apiVersion: example.org/v1
      kind: Widget
      metadata:
        name: x
      spec:
        items:
          - name: b
""",
        "app/secret.env": "USER=me\nPASS = x y \n",
        "app/cert.pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        "app/resources.yaml": """\
apiVersion: example.org/v1
kind: Widget
metadata:
  name: w
spec:
  items:
    - name: a
      value: 1
  template:
    metadata: {}
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: cj
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: c
              image: x
              envFrom:
                - secretRef:
                    name: envsec
          volumes:
            - name: p
              projected:
                sources:
                  - secret:
                      name: long
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: rb
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
subjects:
  - kind: ServiceAccount
    name: default
  - kind: ServiceAccount
    name: sa
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: sa
""",
    }),
}
