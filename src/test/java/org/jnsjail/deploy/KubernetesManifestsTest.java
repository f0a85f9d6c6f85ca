package org.jnsjail.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/k8s through {@code kubectl apply --dry-run=client} (Debian's kubectl, package kubernetes-client,
 * installed when missing), and the settings the manifests must share with the image and with the podman
 * test.
 *
 * <p>kubectl's client-side dry run still asks a server which kinds exist (API discovery) and whether each
 * object exists already, and no Kubernetes API server runs here. So the test serves kubectl the discovery
 * documents of the five API groups the manifests use (core/v1, apps/v1, policy/v1, autoscaling/v2,
 * networking.k8s.io/v1) and "not found" for every object, from a loopback HTTP server. kubectl then parses
 * the YAML, maps each kind to its resource, and prints the objects it would create. What that cannot
 * check: the fields against the API's schema (kubectl downloads the OpenAPI schema from the server for
 * that, hence {@code --validate=false}), and everything the API server, admission and the kubelet decide
 * (docs/kubernetes.md lists those).
 */
class KubernetesManifestsTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));
    private static final Path MANIFESTS = ROOT.resolve("deploy/k8s");

    /** group/version, then (resource, kind) pairs; all namespaced. */
    private static final String[][] API = {
            {"v1", "services", "Service", "pods", "Pod"},
            {"apps/v1", "deployments", "Deployment"},
            {"policy/v1", "poddisruptionbudgets", "PodDisruptionBudget"},
            {"autoscaling/v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler"},
            {"networking.k8s.io/v1", "networkpolicies", "NetworkPolicy"},
    };

    private static HttpServer discoveryServer() throws IOException {
        Map<String, String> docs = new HashMap<>();
        StringBuilder groups = new StringBuilder();
        for (String[] api : API) {
            String gv = api[0];
            StringBuilder res = new StringBuilder();
            for (int i = 1; i < api.length; i += 2) {
                if (!res.isEmpty()) res.append(',');
                res.append("{\"name\":\"").append(api[i]).append("\",\"singularName\":\"").append(api[i + 1].toLowerCase())
                        .append("\",\"namespaced\":true,\"kind\":\"").append(api[i + 1])
                        .append("\",\"verbs\":[\"create\",\"delete\",\"get\",\"list\",\"patch\",\"update\",\"watch\"]}");
            }
            String list = "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":\"" + gv + "\",\"resources\":[" + res + "]}";
            if (gv.equals("v1")) {
                docs.put("/api/v1", list);
                continue;
            }
            docs.put("/apis/" + gv, list);
            String group = gv.substring(0, gv.indexOf('/'));
            String version = gv.substring(gv.indexOf('/') + 1);
            String v = "{\"groupVersion\":\"" + gv + "\",\"version\":\"" + version + "\"}";
            if (!groups.isEmpty()) groups.append(',');
            groups.append("{\"name\":\"").append(group).append("\",\"versions\":[").append(v).append("],\"preferredVersion\":").append(v).append('}');
        }
        docs.put("/api", "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":[{\"clientCIDR\":\"0.0.0.0/0\",\"serverAddress\":\"127.0.0.1\"}]}");
        docs.put("/apis", "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[" + groups + "]}");
        docs.put("/version", "{\"major\":\"1\",\"minor\":\"33\",\"gitVersion\":\"v1.33.0\"}");
        String notFound = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"not found\",\"reason\":\"NotFound\",\"code\":404}";

        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.createContext("/", ex -> {
            String body = ex.getRequestMethod().equals("GET") ? docs.get(ex.getRequestURI().getPath()) : null;
            byte[] b = (body == null ? notFound : body).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(body == null ? 404 : 200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        s.start();
        return s;
    }

    private static JsonArray dryRun(Path cache) throws IOException {
        Cmd.ensureCommands("kubectl", "kubernetes-client");
        HttpServer server = discoveryServer();
        try {
            List<String> kubectl = List.of("kubectl", "--server", "http://127.0.0.1:" + server.getAddress().getPort(),
                    "--cache-dir", cache.toString(), "apply", "--dry-run=client", "--validate=false", "-f", MANIFESTS.toString());
            Cmd.Result plain = Cmd.run(Duration.ofMinutes(2), kubectl).ok();
            for (String kind : List.of("deployment.apps", "service", "poddisruptionbudget.policy",
                    "horizontalpodautoscaler.autoscaling", "networkpolicy.networking.k8s.io")) {
                assertTrue(plain.out().contains(kind + "/jnsjail-example created (dry run)"), plain.describe());
            }
            List<String> json = new ArrayList<>(kubectl);
            json.addAll(List.of("-o", "json"));
            return JsonParser.parseString(Cmd.run(Duration.ofMinutes(2), json).ok().out()).getAsJsonObject().getAsJsonArray("items");
        } finally {
            server.stop(0);
        }
    }

    private static JsonObject only(JsonArray items, String kind) {
        JsonObject found = null;
        for (JsonElement e : items) {
            if (e.getAsJsonObject().get("kind").getAsString().equals(kind)) {
                assertEquals(null, found, "two " + kind + "s");
                found = e.getAsJsonObject();
            }
        }
        assertNotNull(found, "no " + kind);
        return found;
    }

    private static JsonElement at(JsonElement o, String path) {
        JsonElement e = o;
        for (String k : path.split("\\.")) {
            if (e == null || !e.isJsonObject()) return null;
            e = e.getAsJsonObject().get(k);
        }
        return e;
    }

    private static List<String> strings(JsonElement a) {
        List<String> l = new ArrayList<>();
        for (JsonElement e : a.getAsJsonArray()) l.add(e.getAsString());
        return l;
    }

    @Test
    void manifestsPassKubectlsClientSideDryRunAndAgreeWithTheImage(@TempDir Path cache) throws IOException {
        JsonArray items = dryRun(cache);
        assertEquals(5, items.size(), items.toString());

        JsonObject deployment = only(items, "Deployment");
        JsonObject labels = at(deployment, "spec.selector.matchLabels").getAsJsonObject();
        assertEquals(labels, at(deployment, "spec.template.metadata.labels"));
        JsonObject pod = at(deployment, "spec.template.spec").getAsJsonObject();
        // The pod's settings are the podman test's (ImageTest.LEAST_PRIVILEGE).
        assertFalse(pod.get("hostUsers").getAsBoolean(), "hostUsers");
        assertEquals(65534, at(pod, "securityContext.runAsUser").getAsInt());
        assertEquals(65534, at(pod, "securityContext.runAsGroup").getAsInt());
        assertTrue(at(pod, "securityContext.runAsNonRoot").getAsBoolean());
        assertEquals("Localhost", at(pod, "securityContext.seccompProfile.type").getAsString());
        assertEquals("profiles/jnsjail.json", at(pod, "securityContext.seccompProfile.localhostProfile").getAsString());
        JsonArray containers = pod.getAsJsonArray("containers");
        assertEquals(1, containers.size());
        JsonObject c = containers.get(0).getAsJsonObject();
        assertEquals(List.of("ALL"), strings(at(c, "securityContext.capabilities.drop")));
        assertFalse(at(c, "securityContext.allowPrivilegeEscalation").getAsBoolean());
        assertTrue(at(c, "securityContext.readOnlyRootFilesystem").getAsBoolean());
        assertEquals("Unmasked", at(c, "securityContext.procMount").getAsString());
        assertEquals(null, at(c, "securityContext.privileged"), "never privileged");
        assertEquals(null, at(c, "securityContext.capabilities.add"), "no capability added");
        assertNotNull(at(c, "resources.requests.memory"));
        assertNotNull(at(c, "resources.requests.cpu"));
        assertNotNull(at(c, "resources.limits.memory"));

        // The arguments are the jnsjail-example image's command (image/build.sh, example_cmd), its port
        // the container port, which the probes and the Service use by name.
        List<String> args = strings(c.get("args"));
        assertEquals(exampleCommand(), args, "deployment.yaml's args and image/build.sh's example_cmd");
        int port = Integer.parseInt(args.get(args.indexOf("--port") + 1));
        JsonObject containerPort = c.getAsJsonArray("ports").get(0).getAsJsonObject();
        assertEquals(port, containerPort.get("containerPort").getAsInt());
        String portName = containerPort.get("name").getAsString();
        assertEquals(portName, at(c, "livenessProbe.tcpSocket.port").getAsString());
        assertEquals(portName, at(c, "readinessProbe.tcpSocket.port").getAsString());
        String version = pomVersion();
        assertTrue(c.get("image").getAsString().endsWith("/jnsjail-example:" + version), c.get("image").getAsString());

        JsonObject service = only(items, "Service");
        assertEquals(labels, at(service, "spec.selector"));
        assertEquals(portName, at(service, "spec.ports").getAsJsonArray().get(0).getAsJsonObject().get("targetPort").getAsString());

        JsonObject pdb = only(items, "PodDisruptionBudget");
        assertEquals(labels, at(pdb, "spec.selector.matchLabels"));

        JsonObject hpa = only(items, "HorizontalPodAutoscaler");
        assertEquals("Deployment", at(hpa, "spec.scaleTargetRef.kind").getAsString());
        assertEquals(at(deployment, "metadata.name"), at(hpa, "spec.scaleTargetRef.name"));

        JsonObject policy = only(items, "NetworkPolicy");
        assertEquals(labels, at(policy, "spec.podSelector.matchLabels"));
        assertEquals(port, at(policy, "spec.ingress").getAsJsonArray().get(0).getAsJsonObject()
                .getAsJsonArray("ports").get(0).getAsJsonObject().get("port").getAsInt());
    }

    /** The example_cmd=(...) array of image/build.sh. */
    private static List<String> exampleCommand() throws IOException {
        Matcher m = Pattern.compile("(?s)\\nexample_cmd=\\((.*?)\\)\\n").matcher(Files.readString(ROOT.resolve("image/build.sh")));
        assertTrue(m.find(), "image/build.sh has no example_cmd=(...)");
        return List.of(m.group(1).trim().split("\\s+"));
    }

    private static String pomVersion() throws IOException {
        Matcher m = Pattern.compile("(?m)^  <version>(.*)</version>$").matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertTrue(m.find(), "pom.xml has no project version");
        return m.group(1);
    }
}
