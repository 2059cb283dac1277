package io.troupe.cli;

import io.troupe.cli.client.KubeClient;
import io.troupe.cli.client.Kubeconfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** What every kubectl-style command shares: where the API is, the namespace, and where to print. */
public abstract class ClientCommand implements Callable<Integer> {
  @Option(names = "--kubeconfig", description = "Path to the kubeconfig file (default: $KUBECONFIG, "
      + "~/.kube/config, then ./data/kubeconfig).")
  Path kubeconfig;

  @Option(names = {"-s", "--server"}, description = "The address and port of the Kubernetes API server.")
  String server;

  @Option(names = {"-n", "--namespace"}, description = "The namespace of this request.")
  String namespaceOption;

  @Spec
  CommandSpec spec;

  private KubeClient client;

  protected KubeClient client() {
    if (client == null) {
      client = new KubeClient(Kubeconfig.resolve(kubeconfig, server, System.getenv("KUBECONFIG"),
          Path.of(System.getProperty("user.home"))));
    }
    return client;
  }

  /** {@code -n}, else the kubeconfig context's namespace, else {@code default}. */
  protected String namespace() {
    if (namespaceOption != null) return namespaceOption;
    String fromConfig = client().config().namespace();
    return fromConfig == null ? "default" : fromConfig;
  }

  protected PrintWriter out() {
    return spec.commandLine().getOut();
  }

  protected PrintWriter err() {
    return spec.commandLine().getErr();
  }
}
