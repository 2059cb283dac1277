package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.JsonFields.index;
import static io.troupe.control.api.validation.JsonFields.objects;
import static io.troupe.control.api.validation.JsonFields.stringMap;
import static io.troupe.control.api.validation.JsonFields.textOrEmpty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.selector.LabelSelector;
import io.troupe.persistence.selector.NameSyntax;
import io.troupe.persistence.selector.SelectorException;
import java.util.List;

/**
 * ValidateLabelSelector: the API object form of a selector, with a cause per bad field, before it is
 * turned into a {@link LabelSelector} (which would only say the first thing wrong).
 */
final class LabelSelectorValidation {

  private LabelSelectorValidation() {
  }

  /**
   * Validates the selector object at {@code path} and returns it as a LabelSelector, or null when it
   * is malformed (the causes say why) so that callers skip the rules that need a working selector.
   */
  static LabelSelector validate(JsonNode selector, String path, List<Cause> causes) {
    if (!selector.isObject()) {
      causes.add(Cause.invalid(path, selector, "must be an object"));
      return null;
    }
    int before = causes.size();
    String labelsPath = path + ".matchLabels";
    MetadataValidation.validateLabels(stringMap(selector, "matchLabels", labelsPath, causes), labelsPath,
        causes);
    String expressionsPath = path + ".matchExpressions";
    List<ObjectNode> expressions = objects(selector, "matchExpressions", expressionsPath, causes);
    for (int i = 0; i < expressions.size(); i++) {
      if (expressions.get(i) != null) {
        validateRequirement(expressions.get(i), index(expressionsPath, i), causes);
      }
    }
    if (causes.size() > before) {
      return null;
    }
    try {
      return LabelSelector.fromJson(selector);
    } catch (SelectorException e) {
      causes.add(Cause.invalid(path, selector, "invalid label selector: " + e.getMessage()));
      return null;
    }
  }

  private static void validateRequirement(ObjectNode expression, String path, List<Cause> causes) {
    String operator = textOrEmpty(expression, "operator", path + ".operator", causes);
    JsonNode valuesNode = JsonFields.member(expression, "values");
    int valueCount = valuesNode != null && valuesNode.isArray() ? valuesNode.size() : 0;
    switch (operator) {
      case "In":
      case "NotIn":
        if (valueCount == 0) {
          causes.add(Cause.required(path + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
        }
        break;
      case "Exists":
      case "DoesNotExist":
        if (valueCount > 0) {
          causes.add(Cause.forbidden(path + ".values",
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        }
        break;
      default:
        causes.add(Cause.invalid(path + ".operator", operator, "not a valid selector operator"));
    }
    String key = textOrEmpty(expression, "key", path + ".key", causes);
    for (String message : NameSyntax.isQualifiedName(key)) {
      causes.add(Cause.invalid(path + ".key", key, message));
    }
    ArrayNode values = JsonFields.array(expression, "values", path + ".values", causes);
    if (values == null) {
      return;
    }
    for (int i = 0; i < values.size(); i++) {
      JsonNode value = values.get(i);
      String valuePath = index(path + ".values", i);
      if (!value.isTextual()) {
        causes.add(Cause.invalid(valuePath, value, "must be a string"));
        continue;
      }
      for (String message : NameSyntax.isValidLabelValue(value.textValue())) {
        causes.add(Cause.invalid(valuePath, value.textValue(), message));
      }
    }
  }
}
